package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDockerCopyDiffCommitExport(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "box", "busybox", "sh", "-c", "echo made > /made; rm /bin/vi; sleep 60")
	pollUntil(t, "the container's changes", func() bool { return d.docker(t, nil, "exec", "box", "cat", "/made").stdout == "made\n" })
	diff := d.mustDocker(t, "diff", "box")
	for _, want := range []string{"A /made", "D /bin/vi", "C /bin"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
	if strings.Contains(diff, "/etc/hostname") || strings.Contains(diff, "/proc") {
		t.Errorf("diff shows the runtime's mount points:\n%s", diff)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "in.txt")
	os.WriteFile(src, []byte("copied in\n"), 0o644)
	d.mustDocker(t, "cp", src, "box:/tmp/")
	if got := d.mustDocker(t, "exec", "box", "cat", "/tmp/in.txt"); got != "copied in" {
		t.Errorf("cp into the container: %q", got)
	}
	d.mustDocker(t, "cp", "box:/made", filepath.Join(dir, "out"))
	if b, _ := os.ReadFile(filepath.Join(dir, "out")); string(b) != "made\n" {
		t.Errorf("cp out of the container: %q", b)
	}
	// A path that climbs out of the container stays inside it.
	if r := d.docker(t, nil, "cp", "box:../../../../etc/shadow", filepath.Join(dir, "shadow")); r.code == 0 {
		t.Errorf("cp of ../../etc/shadow succeeded: %s", r)
	}
	d.mustDocker(t, "commit", "box", "committed:v1")
	if got := d.mustDocker(t, "run", "--rm", "committed:v1", "sh", "-c", "cat /made; test -e /bin/vi || echo no-vi"); got != "made\nno-vi" {
		t.Errorf("committed image: %q", got)
	}
	r := d.docker(t, nil, "export", "box")
	if r.code != 0 || !strings.Contains(r.stdout, "made\n") {
		t.Errorf("export: exit %d, %d bytes", r.code, len(r.stdout))
	}
}

func TestDockerTopStatsPauseRenameKillWait(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "worker", "busybox", "sleep", "60")
	if top := d.mustDocker(t, "top", "worker"); !strings.Contains(top, "sleep 60") || !strings.Contains(top, "PID") {
		t.Errorf("top:\n%s", top)
	}
	stats := d.mustDocker(t, "stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "worker")
	if stats != "worker 1" {
		t.Errorf("stats = %q", stats)
	}
	d.mustDocker(t, "pause", "worker")
	if got := d.inspectField(t, "worker", "{{.State.Status}} {{.State.Paused}}"); got != "paused true" {
		t.Errorf("after pause: %q", got)
	}
	d.mustDocker(t, "unpause", "worker")
	d.mustDocker(t, "rename", "worker", "renamed")
	d.mustDocker(t, "kill", "renamed")
	if got := d.mustDocker(t, "wait", "renamed"); got != "137" {
		t.Errorf("wait after kill = %q", got)
	}
	if r := d.docker(t, nil, "kill", "renamed"); r.code == 0 || !strings.Contains(r.stderr, "is not running") {
		t.Errorf("kill of a stopped container: %s", r)
	}
	out := d.mustDocker(t, "container", "prune", "-f")
	if !strings.Contains(out, "Deleted Containers") {
		t.Errorf("prune: %q", out)
	}
	if got := d.mustDocker(t, "ps", "-aq"); got != "" {
		t.Errorf("after prune: %q", got)
	}
}

func TestDockerHealthInitOOMAndSecurity(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "checked", "--health-cmd", "test -f /tmp/ok", "--health-interval", "100ms", "--health-retries", "2", "busybox", "sleep", "60")
	pollUntil(t, "unhealthy", func() bool { return d.inspectField(t, "checked", "{{.State.Health.Status}}") == "unhealthy" })
	d.mustDocker(t, "exec", "checked", "touch", "/tmp/ok")
	pollUntil(t, "healthy", func() bool {
		return d.mustDocker(t, "ps", "--filter", "health=healthy", "--format", "{{.Names}}") == "checked"
	})
	if got := d.mustDocker(t, "run", "--rm", "--init", "busybox", "ps", "-o", "pid,args"); !strings.Contains(got, "1 /sbin/berth-init -- ps") {
		t.Errorf("--init: ps shows\n%s", got)
	}
	if r := d.docker(t, nil, "run", "--rm", "--init", "busybox", "sh", "-c", "exit 7"); r.code != 7 {
		t.Errorf("--init exit code: %s", r)
	}
	r := d.docker(t, nil, "run", "--name", "hog", "--memory", "16m", "--memory-swap", "16m", "busybox", "sh", "-c", "x=a; while true; do x=$x$x; done")
	if r.code != 137 {
		t.Errorf("OOM run: %s", r)
	}
	if got := d.inspectField(t, "hog", "{{.State.OOMKilled}} {{.State.ExitCode}}"); got != "true 137" {
		t.Errorf("OOM inspect = %q", got)
	}
	got := d.mustDocker(t, "run", "--rm", "--read-only", "--tmpfs", "/scratch", "--cap-drop", "ALL", "busybox", "sh", "-c",
		"touch /x 2>/dev/null || echo ro; echo w > /scratch/f && cat /scratch/f; grep CapEff /proc/self/status")
	if got != "ro\nw\nCapEff:\t0000000000000000" {
		t.Errorf("read-only/tmpfs/cap-drop: %q", got)
	}
	if r := d.docker(t, nil, "exec", "checked", "no-such-command"); r.code != 127 {
		t.Errorf("exec of a missing command: %s", r)
	}
}

func TestDockerEventsAndLogsFollow(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "talker", "busybox", "sh", "-c", "for i in 1 2 3; do echo line$i; sleep 0.2; done")
	if got := d.mustDocker(t, "logs", "-f", "talker"); got != "line1\nline2\nline3" {
		t.Errorf("logs -f = %q", got)
	}
	if got := d.mustDocker(t, "logs", "--tail", "1", "talker"); got != "line3" {
		t.Errorf("logs --tail 1 = %q", got)
	}
	ev := d.mustDocker(t, "events", "--since", "1h", "--until", "0s", "--filter", "container=talker", "--format", "{{.Action}}")
	for _, want := range []string{"create", "start", "die"} {
		if !strings.Contains(ev, want) {
			t.Errorf("events lack %q:\n%s", want, ev)
		}
	}
}
