package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// auditShimAndContainerPids returns the monitor's pid and the container's.
func auditShimAndContainerPids(t *testing.T, d *daemon, name string) []int {
	t.Helper()
	pid, err := strconv.Atoi(d.inspectField(t, name, "{{.State.Pid}}"))
	if err != nil || pid <= 0 {
		t.Fatalf("pid of %s: %d %v", name, pid, err)
	}
	pidData, err := os.ReadFile(filepath.Join(d.execRoot, "shim", "shim.pid"))
	if err != nil {
		t.Fatal(err)
	}
	shimPid, err := strconv.Atoi(strings.TrimSpace(string(pidData)))
	if err != nil {
		t.Fatal(err)
	}
	return []int{shimPid, pid}
}

// auditKillAll SIGKILLs the monitor and the container's process together,
// as a crash (or the OOM killer) might.
func auditKillAll(t *testing.T, pids []int) {
	t.Helper()
	for _, p := range pids {
		if err := syscall.Kill(p, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	}
}

// A container whose monitor died with it is reported exited, with a
// reason in State.Error, never left "running": whether the daemon saw
// it happen or found it so at its next start.
func TestAuditShimDiedWithContainer(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "seen", "busybox", "sleep", "600")
	auditKillAll(t, auditShimAndContainerPids(t, d, "seen"))
	pollUntil(t, "seen reported exited", func() bool { return d.inspectField(t, "seen", "{{.State.Status}}") == "exited" })
	auditExitedWithReason(t, d, "seen")

	d.mustDocker(t, "run", "-d", "--name", "unseen", "busybox", "sleep", "600")
	pids := auditShimAndContainerPids(t, d, "unseen")
	d.kill()
	auditKillAll(t, pids)
	d.start(t)
	t.Cleanup(func() { removeAllContainers(t, d) })
	pollUntil(t, "unseen reported exited", func() bool { return d.inspectField(t, "unseen", "{{.State.Status}}") == "exited" })
	auditExitedWithReason(t, d, "unseen")
	if got := d.mustDocker(t, "ps", "-q"); got != "" {
		t.Errorf("ps lists running containers: %q", got)
	}
	// Both can be used again: started, and removed without -f once stopped.
	for _, n := range []string{"seen", "unseen"} {
		d.mustDocker(t, "start", n)
		if got := d.inspectField(t, n, "{{.State.Status}} {{json .State.Error}}"); got != `running ""` {
			t.Errorf("%s started again: %s", n, got)
		}
		d.mustDocker(t, "stop", "-t", "0", n)
		d.mustDocker(t, "rm", n)
	}
}

// auditExitedWithReason checks that inspect reports name exited, with
// the code lost (255) and the reason.
func auditExitedWithReason(t *testing.T, d *daemon, name string) {
	t.Helper()
	if got := d.inspectField(t, name, "{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}"); got != "exited false 255" {
		t.Errorf("%s after its monitor died with it: %q, want exited false 255", name, got)
	}
	if reason := d.inspectField(t, name, "{{.State.Error}}"); !strings.Contains(reason, "shim") || !strings.Contains(reason, "exit code lost") {
		t.Errorf("%s: State.Error %q does not say the monitor died and the code was lost", name, reason)
	}
}
