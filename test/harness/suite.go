package harness

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// Suite says how one test suite names its daemons' host-wide resources.
// Daemons of suites running side by side (go test runs packages in
// parallel, and other engineers' runs share the host) must never share a
// socket, a bridge or an nftables table: one's shutdown would remove the
// other's bridge.
type Suite struct {
	Bin          string // the berth CLI; the daemon is started as `berth daemon`
	Name         string // short suite name: socket directories are /tmp/berth-<Name>-*
	BridgePrefix string // the default bridge is this plus 8 hex digits; at most 7 bytes
	TablePrefix  string // the nftables table is this plus the same 8 hex digits
}

// maxIfName is the longest Linux interface name (IFNAMSIZ less the NUL).
const maxIfName = 15

// NewDaemon makes a daemon's scratch directories without starting it, so
// that a test can prepare its root (mount a small tmpfs, say) first.
func (s Suite) NewDaemon(t *testing.T) *Daemon {
	t.Helper()
	if s.Bin == "" || s.Name == "" || s.BridgePrefix == "" || s.TablePrefix == "" {
		t.Fatalf("harness.Suite %+v: Bin, Name, BridgePrefix and TablePrefix are all needed", s)
	}
	if len(s.BridgePrefix)+8 > maxIfName {
		t.Fatalf("harness.Suite: bridge prefix %q is longer than %d bytes", s.BridgePrefix, maxIfName-8)
	}
	dir := t.TempDir()
	// Socket paths are limited to 108 bytes, which t.TempDir paths with
	// long test names can exceed, so the socket lives in a short dir.
	sockDir, err := os.MkdirTemp("", "berth-"+s.Name+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	d := &Daemon{suite: s, Root: filepath.Join(dir, "root"), ExecRoot: filepath.Join(dir, "run"),
		Sock: filepath.Join(sockDir, "berth.sock")}
	d.Host = "unix://" + d.Sock
	return d
}

// StartDaemon starts a daemon on fresh scratch directories, with extra
// daemon flags, and waits until it answers. It skips the test when not root.
func (s Suite) StartDaemon(t *testing.T, extra ...string) *Daemon {
	t.Helper()
	NeedRoot(t)
	d := s.NewDaemon(t)
	d.Start(t, extra...)
	return d
}

// netFlags name the daemon's default bridge and nftables table after its
// root, so that a restart on the same root finds them again.
func (s Suite) netFlags(root string) []string {
	sum := sha256.Sum256([]byte(root))
	suffix := hex.EncodeToString(sum[:4])
	return []string{"--bridge", s.BridgePrefix + suffix, "--nft-table", s.TablePrefix + suffix}
}

// NeedRoot skips a test that needs root; CI runs as root.
func NeedRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the berth daemon runs as root")
	}
}
