package e2e

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docker cp stays in the container whatever symlinks the container (or
// the archive sent in) holds: a link to an absolute host path is
// resolved inside the container's root, in both directions.
func TestAuditDockerCpSymlinkEscapes(t *testing.T) {
	d := dockerContainerDaemon(t)
	host := t.TempDir() // exists on the host, not in the container
	if err := os.WriteFile(filepath.Join(host, "secret"), []byte("host secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.mustDocker(t, "run", "-d", "--name", "box", "busybox", "sleep", "600")
	d.mustDocker(t, "exec", "box", "ln", "-s", host, "/tmp/hostlink")

	out := t.TempDir()
	r := d.docker(t, nil, "cp", "box:/tmp/hostlink/secret", filepath.Join(out, "secret"))
	if b, err := os.ReadFile(filepath.Join(out, "secret")); err == nil && string(b) == "host secret\n" {
		t.Errorf("cp out through a link to %s read the host's file: %s", host, r)
	}
	// The link leads to a path the container does not have.
	if r.code == 0 || !strings.Contains(r.stderr, "/tmp/hostlink/secret") {
		t.Errorf("cp out through a link to a host path: %s", r)
	}

	in := filepath.Join(out, "dropped")
	if err := os.WriteFile(in, []byte("dropped\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = d.docker(t, nil, "cp", in, "box:/tmp/hostlink/")
	if _, err := os.Stat(filepath.Join(host, "dropped")); err == nil {
		t.Errorf("cp in through a link to %s wrote on the host: %s", host, r)
	}
	if r.code == 0 {
		t.Errorf("cp in through a link to a path the container does not have: %s", r)
	}

	// An archive that makes a link to the host dir, then writes through it.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "evil", Typeflag: tar.TypeSymlink, Linkname: host, Mode: 0o777},
		{Name: "evil/pwned", Typeflag: tar.TypeReg, Mode: 0o644, Size: 6},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte("pwned\n"))
		}
	}
	tw.Close()
	r = d.docker(t, bytes.NewReader(buf.Bytes()), "cp", "-", "box:/tmp")
	if _, err := os.Stat(filepath.Join(host, "pwned")); err == nil {
		t.Errorf("cp - of an archive writing through a link reached the host: %s", r)
	}
	if r.code == 0 || !strings.Contains(r.stderr, "evil/pwned") {
		t.Errorf("cp - of an archive writing through its own link: %s", r)
	}
	if got := d.mustDocker(t, "exec", "box", "cat", "/etc/hostname"); got == "" {
		t.Errorf("the container is not usable after the refused copies")
	}
}
