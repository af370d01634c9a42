// Package build_test runs the Dockerfile suite in cases/ through berth's
// builder, in process: real metadata and content stores, the overlay
// snapshotter, and RUN steps in containers run by the berth-runc binary
// under test (test/binaries: $BERTH_BINDIR, else a fresh build).
package build_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/berthproject/berth/test/binaries"
)

// runcBin is the berth-runc the builders under test run RUN steps with.
var runcBin string

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	if os.Geteuid() != 0 {
		return m.Run() // every builder test skips; no binaries needed
	}
	dir, cleanup, err := binaries.Dir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "test/build:", err)
		return 1
	}
	defer cleanup()
	runcBin = filepath.Join(dir, "berth-runc")
	return m.Run()
}
