package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestDockerRunExitCodes(t *testing.T) {
	d := dockerContainerDaemon(t)
	if r := d.docker(t, nil, "run", "--rm", "busybox", "echo", "hi"); r.code != 0 || r.stdout != "hi\n" {
		t.Fatalf("run --rm echo hi: %s", r)
	}
	if r := d.docker(t, nil, "ps", "-aq"); strings.TrimSpace(r.stdout) != "" {
		t.Errorf("--rm left a container: %q", r.stdout)
	}
	if r := d.docker(t, nil, "run", "--name", "three", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3"); r.code != 3 || r.stdout != "out\n" || r.stderr != "err\n" {
		t.Fatalf("exit 3: %s", r)
	}
	if got := d.inspectField(t, "three", "{{.State.Status}} {{.State.ExitCode}}"); got != "exited 3" {
		t.Errorf("inspect after exit 3 = %q", got)
	}
	r := d.docker(t, nil, "run", "--rm", "busybox", "no-such-command")
	if r.code != 127 || !strings.Contains(r.stderr, "executable file not found") {
		t.Errorf("missing command: %s", r)
	}
	r = d.docker(t, nil, "run", "--rm", "busybox", "/etc/passwd")
	if r.code != 126 || !strings.Contains(r.stderr, "permission denied") {
		t.Errorf("command not executable: %s", r)
	}
	r = d.docker(t, nil, "run", "--rm", "no-such-image:v1", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "no-such-image") {
		t.Errorf("missing image: %s", r)
	}
	r = d.docker(t, nil, "run", "--name", "three", "busybox", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "already in use") {
		t.Errorf("name in use: %s", r)
	}
	if r := d.docker(t, strings.NewReader("piped\n"), "run", "--rm", "-i", "busybox", "cat"); r.code != 0 || r.stdout != "piped\n" {
		t.Errorf("run -i with piped stdin: %s", r)
	}
	// The failed runs left nothing behind: no container, no volume.
	if got := d.mustDocker(t, "ps", "-a", "--format", "{{.Names}}"); got != "three" {
		t.Errorf("containers after the failed runs: %q", got)
	}
	if got := d.mustDocker(t, "volume", "ls", "-q"); got != "" {
		t.Errorf("volumes after the failed runs: %q", got)
	}
}

func TestDockerDetachedLifecycle(t *testing.T) {
	d := dockerContainerDaemon(t)
	id := d.mustDocker(t, "run", "-d", "--name", "web", "-l", "app=web", "busybox", "sh", "-c", "echo started; trap 'exit 0' TERM; while true; do sleep 0.1; done")
	if len(id) != 64 {
		t.Fatalf("run -d printed %q, want the ID", id)
	}
	if got := d.mustDocker(t, "ps", "--format", "{{.Names}} {{.State}}", "--filter", "label=app=web"); got != "web running" {
		t.Errorf("ps = %q", got)
	}
	pollUntil(t, "the first log line", func() bool { return d.docker(t, nil, "logs", "web").stdout == "started\n" })
	r := d.docker(t, nil, "exec", "web", "sh", "-c", "echo in-exec; hostname; exit 4")
	if r.code != 4 || r.stdout != "in-exec\n"+id[:12]+"\n" {
		t.Errorf("exec: %s", r)
	}
	if r := d.docker(t, nil, "rm", "web"); r.code == 0 || !strings.Contains(r.stderr, "stop the container before removing") {
		t.Errorf("rm of a running container: %s", r)
	}
	if got := d.inspectField(t, "web", "{{.State.Status}}"); got != "running" {
		t.Errorf("a refused rm touched the container: %s", got)
	}
	d.mustDocker(t, "stop", "web")
	if got := d.inspectField(t, "web", "{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}"); got != "exited 0 false" {
		t.Errorf("after stop: %q", got)
	}
	d.mustDocker(t, "start", "web")
	if got := d.inspectField(t, "web", "{{.State.Status}}"); got != "running" {
		t.Errorf("after start: %q", got)
	}
	d.mustDocker(t, "rm", "-f", "web")
	if r := d.docker(t, nil, "inspect", "web"); r.code == 0 {
		t.Errorf("inspect after rm -f: %s", r)
	}
}

func TestDockerVolumes(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "--rm", "-v", "data:/data", "busybox", "sh", "-c", "echo kept > /data/f")
	if got := d.mustDocker(t, "run", "--rm", "-v", "data:/data:ro", "busybox", "cat", "/data/f"); got != "kept" {
		t.Errorf("second container read %q", got)
	}
	if r := d.docker(t, nil, "run", "--rm", "-v", "data:/data:ro", "busybox", "sh", "-c", "echo x > /data/g"); r.code == 0 {
		t.Errorf("write to a :ro volume succeeded: %s", r)
	}
	// A new volume mounted over image content starts with a copy of it.
	if got := d.mustDocker(t, "run", "--rm", "-v", "etc:/etc", "busybox", "sh", "-c", "test -s /etc/passwd && echo copied"); got != "copied" {
		t.Errorf("copy-up: %q", got)
	}
	d.mustDocker(t, "create", "--name", "user", "-v", "data:/data", "busybox", "true")
	if r := d.docker(t, nil, "volume", "rm", "data"); r.code == 0 || !strings.Contains(r.stderr, "in use") {
		t.Errorf("volume rm in use: %s", r)
	}
	d.mustDocker(t, "rm", "user")
	d.mustDocker(t, "volume", "rm", "data")
	if r := d.docker(t, nil, "run", "--rm", "-v", "rel/path:/data", "busybox", "true"); r.code != 125 {
		t.Errorf("relative bind source: %s", r)
	}
}

func TestDockerResourceLimitsInCgroup(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "limited", "--memory", "64m", "--cpu-shares", "512", "--pids-limit", "42", "busybox", "sleep", "60")
	pid, err := strconv.Atoi(d.inspectField(t, "limited", "{{.State.Pid}}"))
	if err != nil || pid <= 0 {
		t.Fatalf("pid %d, %v", pid, err)
	}
	if got := cgroupFile(t, pid, "memory", "memory.limit_in_bytes", "memory.max"); got != strconv.Itoa(64<<20) {
		t.Errorf("memory limit = %s, want %d", got, 64<<20)
	}
	if got := cgroupFile(t, pid, "pids", "pids.max", "pids.max"); got != "42" {
		t.Errorf("pids.max = %s, want 42", got)
	}
	if got := d.inspectField(t, "limited", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}"); got != "67108864 42" {
		t.Errorf("inspect HostConfig = %q", got)
	}
	d.mustDocker(t, "update", "--memory", "128m", "--memory-swap", "256m", "--pids-limit", "30", "limited")
	if got := cgroupFile(t, pid, "memory", "memory.limit_in_bytes", "memory.max"); got != strconv.Itoa(128<<20) {
		t.Errorf("memory limit after update = %s, want %d", got, 128<<20)
	}
	if got := cgroupFile(t, pid, "pids", "pids.max", "pids.max"); got != "30" {
		t.Errorf("pids.max after update = %s, want 30", got)
	}
	if r := d.docker(t, nil, "run", "--rm", "--memory", "12x", "busybox", "true"); r.code != 125 {
		t.Errorf("--memory 12x: %s", r)
	}
	if r := d.docker(t, nil, "run", "--rm", "--cpus", "999", "busybox", "true"); r.code != 125 || !strings.Contains(r.stderr, "CPUs") {
		t.Errorf("--cpus 999: %s", r)
	}
}

func TestDockerRestartPolicyOnFailure(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 5")
	pollUntil(t, "two restarts then exited", func() bool {
		return d.inspectField(t, "flaky", "{{.RestartCount}} {{.State.Status}}") == "2 exited"
	})
	if got := d.inspectField(t, "flaky", "{{.State.ExitCode}}"); got != "5" {
		t.Errorf("exit code = %s", got)
	}
}

func TestDockerContainerSurvivesDaemonSIGKILL(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "survivor", "busybox", "sh", "-c", "trap 'exit 0' TERM; while true; do echo tick; sleep 0.2; done")
	d.mustDocker(t, "run", "-d", "--name", "always", "--restart", "always", "busybox", "sleep", "60")
	d.mustDocker(t, "run", "-d", "--name", "unless", "--restart", "unless-stopped", "busybox", "sleep", "60")
	d.mustDocker(t, "stop", "-t", "0", "always", "unless")
	pid := d.inspectField(t, "survivor", "{{.State.Pid}}")
	restartDaemonKilled(t, d)
	// As Docker: "always" comes back at daemon start even after a stop by
	// the user, "unless-stopped" does not.
	pollUntil(t, "the always container back", func() bool { return d.inspectField(t, "always", "{{.State.Status}}") == "running" })
	if got := d.inspectField(t, "unless", "{{.State.Status}}"); got != "exited" {
		t.Errorf("unless-stopped container after daemon restart: %s", got)
	}
	if got := d.mustDocker(t, "ps", "--filter", "name=survivor", "--format", "{{.Names}} {{.State}}"); got != "survivor running" {
		t.Errorf("ps after daemon SIGKILL = %q", got)
	}
	if got := d.inspectField(t, "survivor", "{{.State.Pid}}"); got != pid {
		t.Errorf("pid changed from %s to %s", pid, got)
	}
	if got := d.mustDocker(t, "exec", "survivor", "echo", "alive"); got != "alive" {
		t.Errorf("exec after restart: %q", got)
	}
	d.mustDocker(t, "stop", "survivor")
	if got := d.inspectField(t, "survivor", "{{.State.Status}} {{.State.ExitCode}}"); got != "exited 0" {
		t.Errorf("stop after restart: %q", got)
	}
	if !strings.Contains(d.mustDocker(t, "logs", "survivor"), "tick") {
		t.Errorf("logs lost across the daemon restart")
	}
}

func TestDockerContainerOutlivesShimSIGKILL(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "orphan", "busybox", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done")
	pidData, err := os.ReadFile(filepath.Join(d.execRoot, "shim", "shim.pid"))
	if err != nil {
		t.Fatal(err)
	}
	shimPid, _ := strconv.Atoi(strings.TrimSpace(string(pidData)))
	if err := syscall.Kill(shimPid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// A signal is delivered asynchronously: a call made while the shim is
	// still dying fails with it (as a call in flight would). Once it is
	// dead (gone, or a zombie nobody has reaped), the monitor comes back on
	// the next call and finds the container.
	pollUntil(t, "the shim's death", func() bool {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(shimPid) + "/stat")
		if err != nil {
			return true
		}
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		return len(fields) > 0 && fields[0] == "Z"
	})
	if got := d.mustDocker(t, "exec", "orphan", "echo", "still-here"); got != "still-here" {
		t.Errorf("exec after the shim's death: %q", got)
	}
	d.mustDocker(t, "stop", "orphan")
	// Never left "running": exited, with the reason when the code was lost.
	if got := d.inspectField(t, "orphan", "{{.State.Status}} {{.State.Running}}"); got != "exited false" {
		t.Errorf("after stop: %q", got)
	}
}
