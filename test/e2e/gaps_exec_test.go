package e2e

import (
	"path/filepath"
	"strconv"
	"testing"
)

// TestGapsExecRecordsForgotten: health probes (one exec each) and execs
// do not pile up exit records in the container monitor: a container
// checked every 100 ms holds at most the probe in flight, however many
// probes ran, and a finished docker exec leaves nothing either.
func TestGapsExecRecordsForgotten(t *testing.T) {
	needRoot(t)
	d := dockerContainerDaemon(t)
	id := d.mustDocker(t, "run", "-d", "--network", "none", "--health-cmd", "false", "--health-interval", "100ms",
		"--health-retries", "100000", "busybox", "sleep", "1000")
	records := func() int {
		files, err := filepath.Glob(filepath.Join(d.execRoot, "shim", "containers", id, "exec-*.json"))
		if err != nil {
			t.Fatal(err)
		}
		return len(files)
	}
	// The failing streak counts the probes that ran.
	pollUntil(t, "30 health probes", func() bool {
		n, _ := strconv.Atoi(d.inspectField(t, id, "{{.State.Health.FailingStreak}}"))
		return n >= 30
	})
	if n := records(); n > 1 {
		t.Fatalf("%d exec records in the monitor after 30+ probes, want at most the one in flight", n)
	}
	for i := 0; i < 5; i++ {
		if out := d.mustDocker(t, "exec", id, "echo", "hi"); out != "hi" {
			t.Fatalf("exec echo hi = %q", out)
		}
	}
	d.mustDocker(t, "exec", "-d", id, "true")
	pollUntil(t, "no exec records but a probe's", func() bool { return records() <= 1 })
}
