package build_test

import (
	"archive/tar"
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/build"
)

// RUN steps have no network but loopback unless --network host; the
// mount points the runtime creates (/proc, /dev, /sys) stay out of the
// step's layer, as Docker's.
func TestRunNetworkAndCleanLayer(t *testing.T) {
	e := newEnv(t)
	dir := e.caseDir("run-scratch")
	e.mustBuild(dir, build.Options{Tags: []string{"none"}})
	if got := readFile(t, e.rootfs("none"), "netdev"); strings.TrimSpace(got) != "3" {
		t.Errorf("RUN without --network sees %s lines of /proc/net/dev, want 3 (header and lo)", got)
	}
	img, err := e.images.Get(context.Background(), "none")
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.images.OpenBlob(context.Background(), img.Layers[len(img.Layers)-1].Digest)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var names []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
	if !slices.Equal(names, []string{"netdev"}) {
		t.Errorf("RUN layer holds %q, want only netdev", names)
	}

	e.mustBuild(dir, build.Options{Tags: []string{"host"}, Network: "host", NoCache: true})
	if got := readFile(t, e.rootfs("host"), "netdev"); strings.TrimSpace(got) == "3" {
		t.Errorf("RUN with --network host sees only loopback")
	}
	if _, rep, err := e.build(dir, build.Options{Network: "bridge", NoCache: true}); err == nil || !strings.Contains(err.Error(), "--network bridge") {
		t.Errorf("--network bridge: %v\n%s", err, rep)
	}
}
