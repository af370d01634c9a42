package e2e

import (
	"regexp"
	"strings"
	"testing"
)

func TestCLICreateStartWaitPrune(t *testing.T) {
	d := cliContainerDaemon(t)
	id := strings.TrimSpace(d.ok(t, "create", "--name", "job", "busybox", "sh", "-c", "echo job-out; exit 2"))
	if got := d.ok(t, "ps", "-a", "--format", "{{.Names}} {{.Status}}"); got != "job Created\n" {
		t.Errorf("after create: %q", got)
	}
	if r := d.berth(t, nil, "start", "-a", "job"); r.code != 2 || r.stdout != "job-out\n" {
		t.Errorf("start -a: want the output and exit 2: %s", r)
	}
	if out := d.ok(t, "start", "job"); out != "job\n" {
		t.Errorf("start printed %q", out)
	}
	if out := d.ok(t, "wait", "job"); out != "2\n" {
		t.Errorf("wait printed %q", out)
	}
	if r := d.berth(t, nil, "start", "nosuch"); r.code != 125 || !strings.Contains(r.stderr, "nosuch") {
		t.Errorf("start of a missing container: %s", r)
	}
	d.ok(t, "run", "-d", "--name", "keep", "busybox", "sleep", "1000")
	out := d.ok(t, "container", "prune", "-f")
	if !strings.Contains(out, "Deleted Containers:\n"+id+"\n") || !strings.Contains(out, "Total reclaimed space:") {
		t.Errorf("container prune:\n%s", out)
	}
	if got := d.ok(t, "container", "ls", "-a", "--format", "{{.Names}}"); got != "keep\n" {
		t.Errorf("after prune: %q (the running container must stay)", got)
	}
}

func TestCLIPauseRestartKillRename(t *testing.T) {
	d := cliContainerDaemon(t)
	d.ok(t, "run", "-d", "--name", "svc", "busybox", "sleep", "1000")
	status := func() string {
		return strings.TrimSpace(d.ok(t, "ps", "-a", "--format", "{{.Status}}", "-f", "name=svc"))
	}
	d.ok(t, "pause", "svc")
	if s := status(); !regexp.MustCompile(`^Up .+ \(Paused\)$`).MatchString(s) {
		t.Errorf("paused status %q", s)
	}
	if got := d.ok(t, "ps", "-q", "-f", "status=paused"); strings.TrimSpace(got) == "" {
		t.Error("ps -f status=paused lists nothing")
	}
	d.ok(t, "unpause", "svc")
	pid1 := d.ok(t, "inspect", "-f", "{{.State.Pid}}", "svc")
	if out := d.ok(t, "restart", "-t", "0", "svc"); out != "svc\n" {
		t.Errorf("restart printed %q", out)
	}
	if pid2 := d.ok(t, "inspect", "-f", "{{.State.Pid}}", "svc"); pid2 == pid1 || !strings.HasPrefix(status(), "Up ") {
		t.Errorf("restart: pid %s → %s, status %q", pid1, pid2, status())
	}
	d.ok(t, "rename", "svc", "svc2")
	if r := d.berth(t, nil, "inspect", "svc"); r.code != 125 || !strings.Contains(r.stderr, "No such object: svc") {
		t.Errorf("old name after rename: %s", r)
	}
	if out := d.ok(t, "kill", "-s", "KILL", "svc2"); out != "svc2\n" {
		t.Errorf("kill printed %q", out)
	}
	if out := d.ok(t, "wait", "svc2"); out != "137\n" {
		t.Errorf("wait after SIGKILL: %q", out)
	}
	if r := d.berth(t, nil, "kill", "svc2"); r.code != 125 {
		t.Errorf("kill of a stopped container: %s", r)
	}
}

func TestCLIAttachAndLogsFollow(t *testing.T) {
	d := cliContainerDaemon(t)
	d.ok(t, "run", "-d", "-i", "--name", "reader", "busybox", "sh", "-c", "read l; echo got $l; exit 6")
	r := d.berth(t, strings.NewReader("hello\n"), "attach", "reader")
	if r.code != 6 || r.stdout != "got hello\n" {
		t.Errorf("attach with piped stdin: want its output and exit 6: %s", r)
	}
	d.ok(t, "run", "-d", "--name", "ticker", "busybox", "sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.2; done")
	// logs -f returns when the container stops, with every line.
	if out := d.ok(t, "logs", "-f", "ticker"); out != "line 1\nline 2\nline 3\n" {
		t.Errorf("logs -f: %q", out)
	}
	if out := d.ok(t, "logs", "--tail", "1", "ticker"); out != "line 3\n" {
		t.Errorf("logs --tail 1: %q", out)
	}
	if out := d.ok(t, "logs", "-t", "ticker"); !regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\S+Z line \d\n){3}$`).MatchString(out) {
		t.Errorf("logs -t: %q", out)
	}
}
