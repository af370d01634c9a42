package docs

import (
	"testing"

	"github.com/berthproject/berth/test/harness"
)

// startDaemon starts a daemon for one example on its own root, exec-root,
// socket, bridge (bd<hex>) and nftables table (berthdoc_<hex>), so that
// examples touch nothing of the host's nor of a concurrent suite's;
// t.Cleanup removes its containers, stops it and ends its container
// monitors, even on failure.
func startDaemon(t *testing.T) *harness.Daemon {
	t.Helper()
	s := harness.Suite{Bin: berthBin(), Name: "docs", BridgePrefix: "bd", TablePrefix: "berthdoc_"}
	return s.StartDaemon(t)
}
