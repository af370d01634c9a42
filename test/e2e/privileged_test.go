package e2e

import (
	"strconv"
	"strings"
	"testing"
)

// TestDockerRunPrivileged: --privileged grants every capability the daemon
// holds (this host lacks CAP_SYS_RESOURCE, so "every known capability"
// would fail the start), and more than the default set.
func TestDockerRunPrivileged(t *testing.T) {
	needRoot(t)
	d := dockerContainerDaemon(t)
	capEff := func(args ...string) uint64 {
		t.Helper()
		out := d.mustDocker(t, append(append([]string{"run", "--rm", "--network", "none"}, args...),
			"busybox", "sh", "-c", "grep CapEff /proc/self/status")...)
		hex := strings.TrimSpace(strings.TrimPrefix(out, "CapEff:"))
		v, err := strconv.ParseUint(hex, 16, 64)
		if err != nil {
			t.Fatalf("CapEff line %q: %v", out, err)
		}
		return v
	}
	def, priv, all := capEff(), capEff("--privileged"), capEff("--cap-add", "ALL")
	const sysAdmin = 1 << 21
	if def&sysAdmin != 0 || priv&sysAdmin == 0 || all != priv {
		t.Errorf("CapEff default %#x, --privileged %#x, --cap-add ALL %#x: want CAP_SYS_ADMIN only in the last two, and them equal", def, priv, all)
	}
}
