package archive

import (
	"os"
	"path/filepath"
	"testing"
)

// TestApplyStoresClimbingSymlinks: a symlink pointing above the root is
// stored as is (Docker accepts it; `berth commit` of a container that
// has one must give an image that runs), and a later layer writing
// through it stays inside the root.
func TestApplyStoresClimbingSymlinks(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	if err := apply(t, dir, WhiteoutDelete, dir_("etc"), symlink("up", "../../../../etc"), symlink("abs", "/../etc")); err != nil {
		t.Fatalf("Apply of a layer storing climbing symlinks: %v", err)
	}
	for name, want := range map[string]string{"up": "../../../../etc", "abs": "/../etc"} {
		if got, err := os.Readlink(filepath.Join(dir, name)); err != nil || got != want {
			t.Errorf("readlink %s = %q, %v; want %q", name, got, err, want)
		}
	}
	if err := apply(t, dir, WhiteoutDelete, file("up/passwd", "in"), file("abs/group", "in")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"etc/passwd", "etc/group"} {
		if b, err := os.ReadFile(filepath.Join(dir, p)); err != nil || string(b) != "in" {
			t.Errorf("%s inside the root = %q, %v; want the write resolved there", p, b, err)
		}
	}
}
