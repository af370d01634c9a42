package e2e

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// After the daemon is killed (SIGKILL), a container that kept running keeps
// its published port throughout and after the restart; one that died while
// the daemon was down loses its veth and its port rule at the restart.
func TestNetworkDaemonKillRestoresRulesDropsStale(t *testing.T) {
	d := startNetDaemon(t)
	d.mustDocker(t, "network", "create", "--subnet", "10.236.0.0/24", "keep")
	livePort, deadPort := itoa(freePort(t)), itoa(freePort(t))
	d.mustDocker(t, "run", "-d", "--name", "live", "--network", "keep", "-p", livePort+":80", "nt:1", "nettool", "serve", ":80", "still here")
	d.mustDocker(t, "run", "-d", "--name", "dead", "-p", deadPort+":80", "nt:1", "nettool", "serve", ":80", "gone soon")
	waitHTTP(t, "http://127.0.0.1:"+livePort+"/", "still here")
	waitHTTP(t, "http://127.0.0.1:"+deadPort+"/", "gone soon")
	deadPid, err := strconv.Atoi(d.inspectField(t, "dead", "{{.State.Pid}}"))
	if err != nil || deadPid <= 0 {
		t.Fatalf("pid of dead: %v", err)
	}
	deadVeths := vethsOf(t, d.bridge)
	if len(deadVeths) != 1 {
		t.Fatalf("veths on %s: %v, want the one of dead", d.bridge, deadVeths)
	}

	d.kill()
	// While the daemon is down the rules stay: the live container answers.
	// (No Fatal until the restart: the cleanup needs a daemon.)
	if got, err := httpGet("http://127.0.0.1:" + livePort + "/"); got != "still here" {
		t.Errorf("with the daemon down, port %s answered %q, %v", livePort, got, err)
	}
	if err := syscall.Kill(deadPid, syscall.SIGKILL); err != nil {
		t.Errorf("kill dead's process: %v", err)
	}
	d.restart(t)

	waitHTTP(t, "http://127.0.0.1:"+livePort+"/", "still here")
	pollUntil(t, "the dead container's veth to go", func() bool { return len(vethsOf(t, d.bridge)) == 0 })
	if _, err := httpGet("http://127.0.0.1:" + deadPort + "/"); err == nil {
		t.Errorf("port %s of the dead container still answers", deadPort)
	}
	table := nftTable(d.table)
	if strings.Contains(table, " "+deadPort+" :") || !strings.Contains(table, " "+livePort+" :") {
		t.Errorf("after restart the table should map %s and not %s:\n%s", livePort, deadPort, table)
	}
	if got := d.inspectField(t, "live", "{{.NetworkSettings.Networks.keep.IPAddress}}"); !strings.HasPrefix(got, "10.236.0.") {
		t.Errorf("live's address after restart: %q", got)
	}
	// The name service of the live container is back too.
	d.mustDocker(t, "run", "--rm", "--network", "keep", "--dns", "127.0.0.1", "nt:1", "nettool", "get", "http://live/")
	// A clean stop with a container running keeps its kernel state for
	// live restore; the cleanup then removes it and checks nothing is left.
	if err := d.stop(t); err != nil {
		t.Error(err)
	}
	if !tableExists(d.table) {
		t.Errorf("table %s went at a stop with a container running", d.table)
	}
	if got, err := httpGet("http://127.0.0.1:" + livePort + "/"); got != "still here" {
		t.Errorf("with the daemon stopped, port %s answered %q, %v", livePort, got, err)
	}
	d.restart(t)
}
