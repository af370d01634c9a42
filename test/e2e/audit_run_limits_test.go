package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// --cpus, --cpuset-cpus and --memory-reservation land in the container's
// cgroup; --stop-signal and --stop-timeout decide how docker stop ends it.
func TestAuditDockerCPUAndStopOptions(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "cpu", "--cpus", "0.5", "--cpuset-cpus", "0", "--memory-reservation", "32m", "busybox", "sleep", "600")
	pid, err := strconv.Atoi(d.inspectField(t, "cpu", "{{.State.Pid}}"))
	if err != nil || pid <= 0 {
		t.Fatalf("pid %d, %v", pid, err)
	}
	if got := cgroupFile(t, pid, "cpu", "cpu.cfs_quota_us", "cpu.max"); got != "50000" && got != "50000 100000" {
		t.Errorf("--cpus 0.5: quota %q, want 50000 of 100000", got)
	}
	if got := cgroupFile(t, pid, "cpuset", "cpuset.cpus", "cpuset.cpus"); got != "0" {
		t.Errorf("--cpuset-cpus 0: %q", got)
	}
	if got := cgroupFile(t, pid, "memory", "memory.soft_limit_in_bytes", "memory.low"); got != strconv.Itoa(32<<20) {
		t.Errorf("--memory-reservation 32m: %q", got)
	}
	if got := d.inspectField(t, "cpu", "{{.HostConfig.NanoCpus}} {{.HostConfig.CpusetCpus}} {{.HostConfig.MemoryReservation}}"); got != "500000000 0 33554432" {
		t.Errorf("inspect HostConfig = %q", got)
	}

	d.mustDocker(t, "run", "-d", "--name", "usr1", "--stop-signal", "USR1", "busybox", "sh", "-c",
		"trap 'echo got-usr1; exit 0' USR1; echo ready; while true; do sleep 0.1; done")
	pollUntil(t, "usr1 to set its trap", func() bool { return d.mustDocker(t, "logs", "usr1") == "ready" })
	d.mustDocker(t, "stop", "usr1")
	if got := d.inspectField(t, "usr1", "{{.Config.StopSignal}} {{.State.ExitCode}}"); got != "USR1 0" {
		t.Errorf("--stop-signal USR1 then stop: %q", got)
	}
	if got := d.mustDocker(t, "logs", "usr1"); got != "ready\ngot-usr1" {
		t.Errorf("the stop signal did not reach the trap: %q", got)
	}
	// TERM ignored: after --stop-timeout the container is killed.
	d.mustDocker(t, "run", "-d", "--name", "stubborn", "--stop-timeout", "1", "busybox", "sh", "-c",
		"trap '' TERM; echo ready; while true; do sleep 0.1; done")
	pollUntil(t, "stubborn to set its trap", func() bool { return d.mustDocker(t, "logs", "stubborn") == "ready" })
	d.mustDocker(t, "stop", "stubborn")
	if got := d.inspectField(t, "stubborn", "{{.Config.StopTimeout}} {{.State.Status}} {{.State.ExitCode}}"); got != "1 exited 137" {
		t.Errorf("--stop-timeout 1 with TERM ignored: %q", got)
	}
}

// --log-driver none keeps no logs (docker logs fails), local keeps
// them, json-file with --log-opt max-size/max-file rotates and keeps only
// max-file files; rm -v removes a container's anonymous volumes and
// keeps its named ones.
func TestAuditDockerLogDriversAndRmV(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "--name", "quiet", "--log-driver", "none", "busybox", "echo", "unseen")
	if r := d.docker(t, nil, "logs", "quiet"); r.code == 0 || strings.Contains(r.stdout, "unseen") {
		t.Errorf("logs of a --log-driver none container: %s", r)
	}
	d.mustDocker(t, "run", "--name", "loc", "--log-driver", "local", "busybox", "echo", "kept locally")
	if got := d.mustDocker(t, "logs", "loc"); got != "kept locally" {
		t.Errorf("logs with --log-driver local: %q", got)
	}
	if got := d.inspectField(t, "loc", "{{.HostConfig.LogConfig.Type}}"); got != "local" {
		t.Errorf("inspect LogConfig.Type = %q", got)
	}

	d.mustDocker(t, "run", "--name", "rot", "--log-opt", "max-size=1k", "--log-opt", "max-file=2", "busybox", "sh", "-c",
		"i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done")
	logs := strings.Split(d.mustDocker(t, "logs", "rot"), "\n")
	if last := logs[len(logs)-1]; !strings.HasPrefix(last, "line-300-") {
		t.Errorf("the last line is missing after rotation: %q", last)
	}
	if len(logs) >= 300 || strings.HasPrefix(logs[0], "line-1-") {
		t.Errorf("max-size=1k max-file=2 kept %d lines, from %q", len(logs), logs[0])
	}
	logPath := d.inspectField(t, "rot", "{{.LogPath}}")
	files, _ := filepath.Glob(logPath + "*")
	if len(files) == 0 || len(files) > 2 {
		t.Errorf("log files %v, want at most 2", files)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && fi.Size() > 2<<10 {
			t.Errorf("log file %s is %d bytes, max-size is 1k", f, fi.Size())
		}
	}

	d.mustDocker(t, "create", "--name", "vols", "-v", "/anon", "-v", "named:/named", "busybox", "true")
	if got := strings.Fields(d.mustDocker(t, "volume", "ls", "-q")); len(got) != 2 {
		t.Fatalf("volumes after create: %v", got)
	}
	d.mustDocker(t, "rm", "-v", "vols")
	if got := d.mustDocker(t, "volume", "ls", "-q"); got != "named" {
		t.Errorf("volumes after rm -v: %q, want only the named one", got)
	}
	d.mustDocker(t, "volume", "rm", "named")
}
