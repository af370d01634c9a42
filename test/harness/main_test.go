package harness

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/berthproject/berth/test/binaries"
)

// bindir holds the binaries the daemon tests start: $BERTH_BINDIR, or a
// fresh build.
var bindir string

func TestMain(m *testing.M) { os.Exit(binaries.Run(m, &bindir)) }

func testSuite() Suite {
	return Suite{Bin: filepath.Join(bindir, "berth"), Name: "harness", BridgePrefix: "bh", TablePrefix: "berthh_"}
}
