package archive

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/google/go-cmp/cmp"
)

// containerRoot is a root filesystem whose symlinks would reach host files
// if followed on the host.
func containerRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("container passwd"), 0o644)
	os.MkdirAll(filepath.Join(root, "data/sub"), 0o755)
	os.WriteFile(filepath.Join(root, "data/a"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(root, "data/sub/b"), []byte("b"), 0o644)
	os.Symlink("/etc", filepath.Join(root, "evil"))
	os.Symlink("../../../../../../etc", filepath.Join(root, "up"))
	os.Symlink("/etc/shadow", filepath.Join(root, "data/link"))
	return root
}

func TestCopyOut(t *testing.T) {
	root := containerRoot(t)
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{"/data", []string{"data/ 5", "data/a 0 a", "data/link 2 /etc/shadow", "data/sub/ 5", "data/sub/b 0 b"}},
		{"/evil/passwd", []string{"passwd 0 container passwd"}},
		{"/up/passwd", []string{"passwd 0 container passwd"}},
		{"../../../etc/passwd", []string{"passwd 0 container passwd"}},
		{"/data/link", []string{"link 2 /etc/shadow"}},
	} {
		var buf bytes.Buffer
		if err := CopyOut(context.Background(), root, tc.src, &buf); err != nil {
			t.Errorf("CopyOut(%s): %v", tc.src, err)
			continue
		}
		if diff := cmp.Diff(tc.want, listLayer(t, buf.Bytes())); diff != "" {
			t.Errorf("CopyOut(%s) (-want +got):\n%s", tc.src, diff)
		}
	}
	if err := CopyOut(context.Background(), root, "/nope", &bytes.Buffer{}); !errdefs.IsNotFound(err) {
		t.Errorf("CopyOut of a missing path = %v, want not found", err)
	}
}

func TestCopyIn(t *testing.T) {
	needRoot(t)
	root := containerRoot(t)
	layer := makeTar(t, file("x", "1"), dir("sub"), file("sub/y", "2"), file(".wh.z", ""))
	// /evil is the container's /etc: the files land there, not on the host.
	if err := CopyIn(context.Background(), root, "/evil", bytes.NewReader(layer)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"etc/x", "etc/sub/y", "etc/.wh.z"} {
		if _, err := os.Lstat(filepath.Join(root, p)); err != nil {
			t.Errorf("%s not copied in: %v", p, err)
		}
	}
	if err := CopyIn(context.Background(), root, "/data/a", bytes.NewReader(layer)); !errdefs.IsInvalidArgument(err) {
		t.Errorf("CopyIn onto a file = %v, want invalid argument", err)
	}
	for _, tc := range maliciousLayers {
		if err := CopyIn(context.Background(), root, "/data", bytes.NewReader(makeTar(t, tc.entries...))); err == nil {
			t.Errorf("CopyIn accepted %s", tc.name)
		}
	}
}
