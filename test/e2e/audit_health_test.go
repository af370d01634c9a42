package e2e

import (
	"strconv"
	"strings"
	"testing"
)

// The image's HEALTHCHECK runs without any --health flag; --health-timeout
// cuts a slow check short (a probe that would run for ten minutes) and
// counts it failed; failures inside
// --health-start-period do not count, so the container stays "starting".
func TestAuditDockerHealthImageTimeoutStartPeriod(t *testing.T) {
	d := dockerContainerDaemon(t)
	dir := buildContextDir(t, "FROM busybox\nHEALTHCHECK --interval=100ms --retries=1 CMD test -f /tmp/ok\n", map[string]string{})
	if r := d.dockerLegacy(t, "build", "-t", "checked:v1", dir); r.code != 0 {
		t.Fatalf("build: %s", r)
	}
	d.mustDocker(t, "run", "-d", "--name", "fromimage", "checked:v1", "sleep", "600")
	pollUntil(t, "the image's check to fail", func() bool { return d.inspectField(t, "fromimage", "{{.State.Health.Status}}") == "unhealthy" })
	d.mustDocker(t, "exec", "fromimage", "touch", "/tmp/ok")
	pollUntil(t, "the image's check to pass", func() bool { return d.inspectField(t, "fromimage", "{{.State.Health.Status}}") == "healthy" })

	d.mustDocker(t, "run", "-d", "--name", "slow", "--health-cmd", "sleep 600", "--health-timeout", "200ms",
		"--health-interval", "100ms", "--health-retries", "1", "busybox", "sleep", "601")
	pollUntil(t, "the slow check to time out", func() bool { return d.inspectField(t, "slow", "{{.State.Health.Status}}") == "unhealthy" })
	if out := d.inspectField(t, "slow", "{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}|{{end}}"); !strings.Contains(out, "-1 Health check exceeded timeout (200ms)") {
		t.Errorf("health log of a timed-out check: %q", out)
	}
	// The probes cut short do not pile up in the container.
	pollUntil(t, "several timed-out probes", func() bool {
		return strings.Count(d.inspectField(t, "slow", "{{range .State.Health.Log}}{{.Output}}|{{end}}"), "exceeded timeout") >= 3
	})
	if n := strings.Count(d.mustDocker(t, "top", "slow"), "sleep 600"); n > 1 {
		t.Errorf("%d timed-out probes still run in the container", n)
	}

	d.mustDocker(t, "run", "-d", "--name", "warming", "--health-cmd", "false", "--health-start-period", "1h",
		"--health-interval", "100ms", "--health-retries", "1", "busybox", "sleep", "600")
	pollUntil(t, "three failed checks in the start period", func() bool {
		n, _ := strconv.Atoi(d.inspectField(t, "warming", "{{len .State.Health.Log}}"))
		return n >= 3
	})
	if got := d.inspectField(t, "warming", "{{.State.Health.Status}} {{.State.Health.FailingStreak}}"); got != "starting 0" {
		t.Errorf("failures in the start period: %q, want starting 0", got)
	}
}
