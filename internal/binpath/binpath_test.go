package binpath

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/containerd/errdefs"
)

func TestFindPrefersBesideThenPath(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The test binary itself is beside itself.
	if p, err := Find(filepath.Base(self)); err != nil || p != self {
		t.Errorf("Find(own name) = %q, %v; want %q", p, err, self)
	}
	dir := t.TempDir()
	onPath := filepath.Join(dir, "berth-binpath-test")
	if err := os.WriteFile(onPath, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if p, err := Find("berth-binpath-test"); err != nil || p != onPath {
		t.Errorf("Find(on $PATH) = %q, %v; want %q", p, err, onPath)
	}
	if _, err := Find("berth-binpath-none"); !errdefs.IsNotFound(err) {
		t.Errorf("Find(missing) = %v; want a not-found error", err)
	}
}
