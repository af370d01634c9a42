package docs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/berthproject/berth/test/binaries"
)

// bindir holds the binaries under test: $BERTH_BINDIR, or a fresh build.
var bindir string

func TestMain(m *testing.M) { os.Exit(binaries.Run(m, &bindir)) }

func berthBin() string { return filepath.Join(bindir, "berth") }

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the examples run a berth daemon")
	}
}
