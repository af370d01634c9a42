package e2e

import (
	"context"
	"errors"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestCLIRunForwardsSignals(t *testing.T) {
	d := cliContainerDaemon(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, berthBin(), "run", "--rm", "--name", "trapper", "busybox", "sh", "-c",
		`trap 'echo got-term; exit 7' TERM; echo ready; while true; do sleep 0.1; done`)
	cmd.Env = append(cleanEnv(), "BERTH_HOST="+d.host)
	var out cliLockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cliEventually(t, "the container to trap SIGTERM", func() bool { return strings.Contains(out.String(), "ready") })
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 || !strings.Contains(out.String(), "got-term") {
		t.Errorf("SIGTERM to berth run: %v, output %q; want the container's trap to run and exit 7", err, out.String())
	}
}

func TestCLIDetachKeysAndExecTTY(t *testing.T) {
	d := cliContainerDaemon(t)
	// ctrl-p ctrl-q leaves the container running and berth exits 0.
	out, code := d.berthOnPtySteps(t, []cliPtyStep{{"/ # ", "echo attached\n"}, {"attached\r\n", "\x10\x11"}},
		"run", "-it", "--name", "detached", "busybox", "sh")
	if code != 0 {
		t.Fatalf("detach keys: exit %d, terminal showed %q", code, out)
	}
	if got := d.ok(t, "inspect", "-f", "{{.State.Running}}", "detached"); got != "true\n" {
		t.Errorf("after detaching the container is not running: %q", got)
	}
	out, code = d.berthOnPty(t, "echo in-exec-$((1+1)); tty; exit 9\n", "exec", "-it", "detached", "sh")
	if code != 9 || !strings.Contains(out, "in-exec-2") || !strings.Contains(out, "/dev/pts/") {
		t.Errorf("exec -it through a pty: exit %d, terminal showed %q", code, out)
	}
	d.ok(t, "exec", "-d", "detached", "touch", "/tmp/flag")
	cliEventually(t, "the detached exec's file", func() bool {
		return d.berth(t, nil, "exec", "detached", "test", "-e", "/tmp/flag").code == 0
	})
}

func TestCLIPsFiltersAndCompletion(t *testing.T) {
	d := cliContainerDaemon(t)
	d.ok(t, "run", "--name", "ok-job", "busybox", "true")
	if r := d.berth(t, nil, "run", "--name", "bad-job", "busybox", "sh", "-c", "exit 1"); r.code != 1 {
		t.Fatalf("exit 1: %s", r)
	}
	d.ok(t, "run", "-d", "--name", "live", "-l", "tier=web", "busybox", "sleep", "1000")
	for filter, want := range map[string]string{
		"status=running":   "live\n",
		"status=exited":    "bad-job\nok-job\n",
		"exited=1":         "bad-job\n",
		"exited=0":         "ok-job\n",
		"name=ok-":         "ok-job\n",
		"label=tier=web":   "live\n",
		"ancestor=busybox": "bad-job\nlive\nok-job\n",
	} {
		got := d.ok(t, "ps", "-a", "--filter", filter, "--format", "{{.Names}}")
		lines := strings.Split(strings.TrimSpace(got), "\n")
		sort.Strings(lines)
		if strings.Join(lines, "\n")+"\n" != want {
			t.Errorf("ps -a --filter %s = %q, want %q", filter, got, want)
		}
	}
	if got := d.ok(t, "ps", "-n", "1", "--format", "{{.Names}}"); got != "live\n" {
		t.Errorf("ps -n 1 = %q", got)
	}
	// Shell completion offers the containers' names.
	comp := d.ok(t, "__complete", "rm", "")
	for _, n := range []string{"ok-job", "bad-job", "live"} {
		if !strings.Contains(comp, n+"\n") {
			t.Errorf("completion of rm lacks %s:\n%s", n, comp)
		}
	}
	if comp := d.ok(t, "__complete", "stop", "li"); !strings.HasPrefix(comp, "live\n") {
		t.Errorf("completion of stop li:\n%s", comp)
	}
	out := d.ok(t, "system", "prune", "-f")
	if !strings.Contains(out, "Deleted Containers:") || !strings.Contains(out, "Total reclaimed space:") {
		t.Errorf("system prune -f:\n%s", out)
	}
	if got := d.ok(t, "ps", "-a", "--format", "{{.Names}}"); got != "live\n" {
		t.Errorf("after system prune: %q", got)
	}
}

func TestCLIHealthCheckStatus(t *testing.T) {
	d := cliContainerDaemon(t)
	d.ok(t, "run", "-d", "--name", "hc", "--health-cmd", "test -f /tmp/ok", "--health-interval", "200ms", "--health-retries", "1",
		"busybox", "sh", "-c", "touch /tmp/ok; exec sleep 1000")
	status := func() string { return strings.TrimSpace(d.ok(t, "ps", "--format", "{{.Status}}", "-f", "name=hc")) }
	cliEventually(t, "a healthy status", func() bool { return strings.HasSuffix(status(), "(healthy)") })
	if got := d.ok(t, "ps", "-q", "-f", "health=healthy"); strings.TrimSpace(got) == "" {
		t.Error("ps -f health=healthy lists nothing")
	}
	d.ok(t, "exec", "hc", "rm", "/tmp/ok")
	cliEventually(t, "an unhealthy status", func() bool { return strings.HasSuffix(status(), "(unhealthy)") })
	if got := d.ok(t, "inspect", "-f", "{{.State.Health.Status}}", "hc"); got != "unhealthy\n" {
		t.Errorf("inspect health: %q", got)
	}
	d.ok(t, "run", "-d", "--name", "nohc", "--no-healthcheck", "busybox", "sleep", "1000")
	if got := d.ok(t, "ps", "--format", "{{.Names}}", "-f", "health=none"); got != "nohc\n" {
		t.Errorf("ps -f health=none: %q", got)
	}
}
