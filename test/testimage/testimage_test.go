package testimage

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestBusyboxRootfsRunsShell(t *testing.T) {
	dir := t.TempDir()
	BusyboxRootfs(t, dir)
	out, err := exec.Command(filepath.Join(dir, "bin", "sh"), "-c", "echo hello; id -u").CombinedOutput()
	if err != nil {
		t.Fatalf("bin/sh: %v: %s", err, out)
	}
	if !strings.HasPrefix(string(out), "hello\n") {
		t.Fatalf("bin/sh output %q, want hello first", out)
	}
	for _, a := range []string{"ls", "cat", "true", "sleep", "ps", "echo"} {
		if l, err := os.Readlink(filepath.Join(dir, "bin", a)); err != nil || l != "busybox" {
			t.Errorf("bin/%s -> %q (%v), want busybox", a, l, err)
		}
	}
}

func TestRootfsTarIsReproducible(t *testing.T) {
	a, b := RootfsTar(t), RootfsTar(t)
	if !bytes.Equal(a, b) {
		t.Fatal("two RootfsTar calls differ")
	}
	tr := tar.NewReader(bytes.NewReader(a))
	seen := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen[h.Name] = true
	}
	for _, n := range []string{"bin/busybox", "bin/sh", "etc/passwd", "tmp/"} {
		if !seen[n] {
			t.Errorf("rootfs tar lacks %s", n)
		}
	}
}

// TestArchivesReadableBySkopeo checks both formats with a real peer.
func TestArchivesReadableBySkopeo(t *testing.T) {
	if _, err := exec.LookPath("skopeo"); err != nil {
		t.Skip("skopeo not installed (apt-get install skopeo)")
	}
	o := Options{RepoTags: []string{"example.com/test/img:v1"}, Layers: 3, Labels: map[string]string{"a": "b"}}
	dir := t.TempDir()
	for name, data := range map[string][]byte{"docker-archive": DockerArchive(t, o), "oci-archive": OCIArchive(t, o)} {
		p := filepath.Join(dir, name+".tar")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("skopeo", "inspect", "--config", name+":"+p).CombinedOutput()
		if err != nil {
			t.Fatalf("skopeo inspect %s: %v: %s", name, err, out)
		}
		if !strings.Contains(string(out), `"a": "b"`) || strings.Count(string(out), "sha256:") < 3 {
			t.Errorf("skopeo %s config lacks label or diffIDs: %s", name, out)
		}
	}
	if id := ID(t, o); !strings.HasPrefix(id, "sha256:") || len(id) != 71 {
		t.Errorf("ID = %q", id)
	}
}
