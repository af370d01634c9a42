package e2e

import (
	"strings"
	"testing"
)

// docker stats without --no-stream keeps printing fresh samples until
// it is stopped.
func TestAuditDockerStatsLive(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "busy", "busybox", "sleep", "600")
	live := auditDockerBg(t, d, "stats", "--format", "{{.Name}} {{.PIDs}}", "busy")
	pollUntil(t, "three samples", func() bool { return strings.Count(live.output(), "busy 1") >= 3 })
	if err := live.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	live.wait(t)
}
