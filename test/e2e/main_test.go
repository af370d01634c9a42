package e2e

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

// needRoot skips tests that need root (the socket is chowned to root, the
// daemon later mounts); CI runs as root.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the berth daemon runs as root")
	}
}
