package e2e

import (
	"strings"
	"syscall"
	"testing"
)

// docker run in the foreground proxies the signals it gets to the
// container (--sig-proxy, on by default) and exits with its code.
// docker restart gives a new process with the same container.
func TestAuditDockerSigProxyAndRestart(t *testing.T) {
	d := dockerContainerDaemon(t)
	script := "trap 'echo got-usr1; exit 3' USR1; echo ready; while true; do sleep 0.1; done"
	fg := auditDockerBg(t, d, "run", "--name", "proxied", "busybox", "sh", "-c", script)
	pollUntil(t, "the container's trap", func() bool { return strings.Contains(fg.output(), "ready") })
	if err := fg.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if code := fg.wait(t); code != 3 || !strings.Contains(fg.output(), "got-usr1") {
		t.Errorf("docker run after SIGUSR1: exit %d, output %q", code, fg.output())
	}

	d.mustDocker(t, "run", "-d", "--name", "unproxied", "busybox", "sh", "-c", script)
	pollUntil(t, "the container's trap", func() bool { return d.mustDocker(t, "logs", "unproxied") == "ready" })
	pid := d.inspectField(t, "unproxied", "{{.State.Pid}}")
	d.mustDocker(t, "restart", "-t", "0", "unproxied")
	if got := d.inspectField(t, "unproxied", "{{.State.Status}} {{.RestartCount}}"); got != "running 0" {
		t.Errorf("after docker restart: %q", got)
	}
	if got := d.inspectField(t, "unproxied", "{{.State.Pid}}"); got == pid {
		t.Errorf("docker restart kept pid %s", pid)
	}
	pollUntil(t, "the restarted container's output", func() bool { return d.mustDocker(t, "logs", "unproxied") == "ready\nready" })
}
