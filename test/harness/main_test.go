package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/berthproject/berth/test/binaries"
)

// bindir holds the binaries the daemon tests start: $BERTH_BINDIR, or a
// fresh build.
var bindir string

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	dir, cleanup, err := binaries.Dir()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	bindir = dir
	return m.Run()
}

func testSuite() Suite {
	return Suite{Bin: filepath.Join(bindir, "berth"), Name: "harness", BridgePrefix: "bh", TablePrefix: "berthh_"}
}
