package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// auditBg is a docker CLI command running in the background.
type auditBg struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	done chan error
}

// auditDockerBg starts the docker CLI against d in the background; it is
// killed when the test ends.
func auditDockerBg(t *testing.T, d *daemon, args ...string) *auditBg {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(dockerBin, args...)
	cmd.Env = append(cleanEnv(), "DOCKER_HOST="+d.host, "DOCKER_CONFIG="+filepath.Join(home, ".docker"), "HOME="+home)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &auditBg{cmd: cmd, done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			b.mu.Lock()
			b.out.WriteString(sc.Text() + "\n")
			b.mu.Unlock()
		}
		b.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
	})
	return b
}

func (b *auditBg) output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.out.String()
}

// wait returns the exit code once the command has ended.
func (b *auditBg) wait(t *testing.T) int {
	t.Helper()
	var code int
	pollUntil(t, "docker "+strings.Join(b.cmd.Args[1:], " ")+" to end", func() bool {
		select {
		case err := <-b.done:
			code = 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			return true
		default:
			return false
		}
	})
	return code
}

// contiguousTicks checks that out is "tick1\ntick2\n…" without a gap and
// returns the last number.
func contiguousTicks(t *testing.T, out string) int {
	t.Helper()
	lines := strings.Fields(out)
	for i, l := range lines {
		if l != fmt.Sprintf("tick%d", i+1) {
			t.Fatalf("line %d of the log is %q, want tick%d (a lost or repeated line):\n%s", i+1, l, i+1, out)
		}
	}
	return len(lines)
}

// Containers that die while the daemon is down (SIGKILLed) are found
// exited when it comes back: "always" and "unless-stopped" are started
// again, a container without a policy stays exited with its code. A
// container that kept running has every line it wrote while the daemon
// was away, and logs -f and wait work on it with the new daemon.
func TestAuditDaemonRestartPoliciesLogsFollowWait(t *testing.T) {
	d := dockerContainerDaemon(t)
	for _, c := range []struct{ name, policy string }{{"al", "always"}, {"us", "unless-stopped"}, {"none", "no"}} {
		d.mustDocker(t, "run", "-d", "--name", c.name, "--restart", c.policy, "busybox", "sleep", "600")
	}
	d.mustDocker(t, "run", "-d", "--name", "ticker", "busybox", "sh", "-c",
		"trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo tick$i; sleep 0.1; done")
	pids := map[string]int{}
	for _, n := range []string{"al", "us", "none"} {
		pid, err := strconv.Atoi(d.inspectField(t, n, "{{.State.Pid}}"))
		if err != nil || pid <= 0 {
			t.Fatalf("pid of %s: %d %v", n, pid, err)
		}
		pids[n] = pid
	}
	pollUntil(t, "a few ticks", func() bool { return strings.Count(d.mustDocker(t, "logs", "ticker"), "tick") >= 3 })
	d.kill()
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	}
	// The monitor records the deaths while there is no daemon; the
	// ticker writes on, to its log, through the monitor.
	pollUntil(t, "the killed containers to be gone", func() bool {
		for _, pid := range pids {
			if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
				return false
			}
		}
		return true
	})
	d.start(t)
	t.Cleanup(func() { removeAllContainers(t, d) })

	for _, n := range []string{"al", "us"} {
		pollUntil(t, n+" started again", func() bool {
			got := d.inspectField(t, n, "{{.State.Status}} {{.State.Pid}}")
			return strings.HasPrefix(got, "running ") && got != "running "+strconv.Itoa(pids[n])
		})
	}
	if got := d.inspectField(t, "none", "{{.State.Status}} {{.State.ExitCode}}"); got != "exited 137" {
		t.Errorf("container without a policy, SIGKILLed while the daemon was down: %q, want exited 137", got)
	}
	if got := d.mustDocker(t, "ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}"); got != "none" {
		t.Errorf("ps -a --filter status=exited = %q", got)
	}

	// logs -f from the new daemon: every line is there, none twice, and
	// new ones keep coming.
	follow := auditDockerBg(t, d, "logs", "-f", "ticker")
	waiter := auditDockerBg(t, d, "wait", "ticker")
	first := 0
	pollUntil(t, "logs -f to show lines", func() bool { first = strings.Count(follow.output(), "tick"); return first > 0 })
	pollUntil(t, "logs -f to follow new lines", func() bool { return strings.Count(follow.output(), "tick") > first+3 })
	d.mustDocker(t, "stop", "ticker")
	if code := follow.wait(t); code != 0 {
		t.Errorf("logs -f ended with %d when the container stopped", code)
	}
	contiguousTicks(t, follow.output())
	if code := waiter.wait(t); code != 0 || strings.TrimSpace(waiter.output()) != "0" {
		t.Errorf("wait from the new daemon: exit %d, printed %q, want 0", code, waiter.output())
	}
	all := d.mustDocker(t, "logs", "ticker")
	if n := contiguousTicks(t, all); n < strings.Count(follow.output(), "tick") {
		t.Errorf("logs after stop has %d lines, fewer than logs -f showed", n)
	}
}
