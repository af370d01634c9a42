package image

import (
	"archive/tar"
	"bytes"
	"context"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/google/go-cmp/cmp"
	"github.com/opencontainers/go-digest"
)

// tinyArchives are small seeds: a docker-archive of two tiny layers, the
// same saved as an OCI layout, and a few broken ones.
func tinyArchives(t testing.TB) [][]byte {
	l1 := makeTar(t, []tarEntry{{Name: "bin/", Type: tar.TypeDir}, {Name: "bin/x", Body: []byte("x")}, {Name: "bin/y", Type: tar.TypeSymlink, Linkname: "x"}})
	l2 := makeTar(t, []tarEntry{{Name: "etc/hosts", Body: []byte("127.0.0.1 localhost\n")}})
	docker := dockerArchiveOf(t, []string{"tiny:1"}, "fuzz", l1, l2)
	svc, _ := newTestService(t)
	ctx := context.Background()
	if _, err := svc.Load(ctx, bytes.NewReader(docker)); err != nil {
		t.Fatal(err)
	}
	var oci, combined bytes.Buffer
	svc.Save(ctx, []string{"tiny:1"}, OCIArchive, &oci)
	svc.Save(ctx, []string{"tiny:1"}, DockerArchive, &combined)
	return [][]byte{docker, oci.Bytes(), combined.Bytes(), docker[:700], []byte("not a tar"), {0x1f, 0x8b, 0, 0}}
}

// FuzzLoad feeds arbitrary archives to Load: it must never panic, and a
// failed load must leave the store as it was.
func FuzzLoad(f *testing.F) {
	for _, seed := range tinyArchives(f) {
		f.Add(seed)
	}
	svc, root := newTestService(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		before := takeSnapshot(t, svc, root)
		if _, err := svc.Load(ctx, bytes.NewReader(data)); err != nil {
			if diff := cmp.Diff(before, takeSnapshot(t, svc, root)); diff != "" {
				t.Fatalf("failed load (%v) changed the store:\n%s", err, diff)
			}
		}
	})
}

// FuzzLayerCheck feeds arbitrary tar streams to the layer validator: no
// panic, and an accepted layer has no entry with ".." or a leading "/".
func FuzzLayerCheck(f *testing.F) {
	f.Add(makeTar(f, []tarEntry{{Name: "a", Type: tar.TypeSymlink, Linkname: "../.."}, {Name: "a/b", Body: []byte("x")}}))
	f.Add(makeTar(f, []tarEntry{{Name: "./ok/file", Body: []byte("x")}, {Name: "h", Type: tar.TypeLink, Linkname: "ok/file"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := scanLayer(bytes.NewReader(data))
		if sc.err != nil {
			if !errdefs.IsInvalidArgument(sc.err) {
				t.Fatalf("unclassified error %v", sc.err)
			}
			return
		}
		rewriteTarLax(data, func(h *tar.Header) {
			if _, err := memberName(h.Name); err != nil {
				t.Fatalf("accepted layer with entry %q", h.Name)
			}
		})
	})
}

func rewriteTarLax(data []byte, fn func(*tar.Header)) {
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err != nil {
			return
		}
		fn(h)
	}
}

// FuzzReference resolves arbitrary names: no panic, only NotFound or
// InvalidArgument errors, and tags that parse survive a round trip through
// their stored and familiar forms.
func FuzzReference(f *testing.F) {
	id := digest.FromString("config")
	recs := []record{{ID: id, RepoTags: []string{"docker.io/library/busybox:latest", "example.com:5000/a/b:v1"},
		RepoDigests: []string{"docker.io/library/busybox@" + digest.FromString("m").String()}}}
	for _, s := range []string{"busybox", "busybox:latest", "example.com:5000/a/b:v1", id.String(), id.Encoded()[:5],
		"UPPER/Case", "a:b:c", "busybox@" + digest.FromString("m").String(), "sha256:", "localhost/x@sha256:abc", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		_, _, err := resolveIn(recs, name)
		if err != nil && !errdefs.IsNotFound(err) && !errdefs.IsInvalidArgument(err) {
			t.Fatalf("resolve %q: unclassified error %v", name, err)
		}
		tag, err := parseTag(name)
		if err != nil {
			return
		}
		again, err := parseTag(familiar(tag.String()))
		if err != nil || again.String() != tag.String() {
			t.Fatalf("tag %q → %q → %v (%v)", name, familiar(tag.String()), again, err)
		}
		if _, err := reference.ParseNormalizedNamed(tag.String()); err != nil {
			t.Fatalf("stored form %q does not parse: %v", tag.String(), err)
		}
	})
}
