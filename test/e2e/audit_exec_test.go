package e2e

import (
	"os"
	"strings"
	"testing"
)

// docker exec -e -u -w -d shape the exec'd process as Docker does: the
// container's environment is inherited and -e overrides it, -u takes a
// name or uid:gid (a user the image lacks: 126, naming it), -w a
// directory, --privileged every capability; exec into a stopped container
// is refused with Docker's words.
func TestAuditDockerExecOptions(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "box", "-e", "FROM_RUN=run", "-e", "OVER=run", "-w", "/etc", "busybox", "sleep", "600")
	got := d.mustDocker(t, "exec", "-e", "OVER=exec", "-e", "NEW=1", "box", "sh", "-c", `echo "$FROM_RUN $OVER $NEW"; pwd; id -u`)
	if got != "run exec 1\n/etc\n0" {
		t.Errorf("exec -e with the container's env and workdir: %q", got)
	}
	if got := d.mustDocker(t, "exec", "-u", "1000:1000", "-w", "/tmp", "box", "sh", "-c", "id -u; id -g; pwd"); got != "1000\n1000\n/tmp" {
		t.Errorf("exec -u 1000:1000 -w /tmp: %q", got)
	}
	if got := d.mustDocker(t, "exec", "-u", "nobody", "box", "id", "-un"); got != "nobody" {
		t.Errorf("exec -u nobody: %q", got)
	}
	if r := d.docker(t, nil, "exec", "-u", "nosuchuser", "box", "true"); r.code != 126 || !strings.Contains(r.stderr, "unable to find user nosuchuser") {
		t.Errorf("exec -u of a user the image lacks: %s", r)
	}
	// --privileged: every capability the daemon holds (the test runs with
	// the same bounding set).
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	var bnd string
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "CapBnd:"); ok {
			bnd = strings.TrimSpace(v)
		}
	}
	if got := d.mustDocker(t, "exec", "--privileged", "box", "grep", "CapEff", "/proc/self/status"); got != "CapEff:\t"+bnd {
		t.Errorf("exec --privileged: %q, want CapEff %s", got, bnd)
	}
	d.mustDocker(t, "exec", "-d", "box", "sh", "-c", "echo detached > /tmp/flag")
	pollUntil(t, "exec -d to run", func() bool { return d.docker(t, nil, "exec", "box", "cat", "/tmp/flag").stdout == "detached\n" })

	d.mustDocker(t, "stop", "-t", "0", "box")
	if r := d.docker(t, nil, "exec", "box", "true"); r.code == 0 || !strings.Contains(r.stderr, "is not running") {
		t.Errorf("exec into a stopped container: %s", r)
	}
}
