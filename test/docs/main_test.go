package docs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// bindir holds the binaries under test: $BERTH_BINDIR, or a fresh build.
var bindir string

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	bindir = os.Getenv("BERTH_BINDIR")
	// Without root nothing runs, so there is nothing to build either.
	if bindir == "" && os.Geteuid() == 0 {
		dir, err := os.MkdirTemp("", "berth-docs-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		root, err := moduleRoot()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		build := exec.Command("go", "build", "-o", dir+"/", "./cmd/...")
		build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build berth:", err)
			return 1
		}
		bindir = dir
	}
	if abs, err := filepath.Abs(bindir); err == nil && bindir != "" {
		bindir = abs
	}
	return m.Run()
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func berthBin() string { return filepath.Join(bindir, "berth") }

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the examples run a berth daemon")
	}
}
