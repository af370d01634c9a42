package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dockerContainerDaemon starts a daemon with the busybox test image loaded as
// busybox:latest (CMD sh). Every container still there when the test ends
// is removed before the daemon stops.
func dockerContainerDaemon(t *testing.T) *daemon {
	t.Helper()
	needDocker(t)
	d := startDaemon(t)
	importBusybox(t, d, "busybox:latest", "-c", `CMD ["sh"]`)
	t.Cleanup(func() { removeAllContainers(t, d) })
	return d
}

// restartDaemonKilled SIGKILLs the daemon and starts it again on the same
// root; the containers are still removed before the new daemon stops.
func restartDaemonKilled(t *testing.T, d *daemon) {
	t.Helper()
	d.kill()
	d.start(t)
	t.Cleanup(func() { removeAllContainers(t, d) })
}

func removeAllContainers(t *testing.T, d *daemon) {
	if !d.running() {
		return
	}
	r := d.docker(t, nil, "ps", "-aq")
	for _, id := range strings.Fields(r.stdout) {
		d.docker(t, nil, "rm", "-f", id)
	}
}

// mustDocker runs the docker CLI and fails the test unless it exits 0.
func (d *daemon) mustDocker(t *testing.T, args ...string) string {
	t.Helper()
	r := d.docker(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("docker %s: %s", strings.Join(args, " "), r)
	}
	return strings.TrimSpace(r.stdout)
}

// inspectField reads one Go-template field of docker inspect.
func (d *daemon) inspectField(t *testing.T, ref, tmpl string) string {
	t.Helper()
	return d.mustDocker(t, "inspect", "--format", tmpl, ref)
}

// pollUntil polls cond until it holds or a generous deadline passes (no
// timing is asserted: the deadline only bounds a hang).
func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cgroupFile reads a cgroup control file of the process pid from the host,
// on cgroup v1 (controller hierarchy) or v2 (unified).
func cgroupFile(t *testing.T, pid int, controller, v1file, v2file string) string {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == controller {
				b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", controller, parts[2], v1file))
				if err != nil {
					t.Fatal(err)
				}
				return strings.TrimSpace(string(b))
			}
		}
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "0::"); ok {
			b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", rest, v2file))
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimSpace(string(b))
		}
	}
	t.Fatalf("no %s cgroup for pid %d in\n%s", controller, pid, data)
	return ""
}
