// Package binaries finds berth's binaries for black-box tests: the ones in
// $BERTH_BINDIR (the Makefile builds them there), or a fresh build of
// ./cmd/... into a temporary directory when it is unset.
package binaries

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Dir returns the directory holding berth, berthd, berth-runc, berth-shim and
// berth-init, and a function that removes what Dir built (a no-op for
// $BERTH_BINDIR).
func Dir() (dir string, cleanup func(), err error) {
	if dir := os.Getenv("BERTH_BINDIR"); dir != "" {
		abs, err := filepath.Abs(dir)
		return abs, func() {}, err
	}
	tmp, err := os.MkdirTemp("", "berth-test-bin-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	root, err := ModuleRoot()
	if err != nil {
		cleanup()
		return "", nil, err
	}
	build := exec.Command("go", "build", "-o", tmp+"/", "./cmd/...")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("build berth: %w", err)
	}
	return tmp, cleanup, nil
}

// ModuleRoot is the directory of berth's go.mod.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Run is a black-box suite's TestMain body: it sets *dir to Dir's
// directory, runs the tests and removes what Dir built. Use it as
// os.Exit(binaries.Run(m, &bindir)).
func Run(m *testing.M, dir *string) int {
	d, cleanup, err := Dir()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	*dir = d
	return m.Run()
}
