package e2e

import (
	"strings"
	"testing"
)

// TestBugRunAsUserWithSeccomp: a non-root user under the default seccomp
// profile, without no-new-privileges (the default), both through berth
// and the docker CLI.
func TestBugRunAsUserWithSeccomp(t *testing.T) {
	needRoot(t)
	d := dockerContainerDaemon(t)
	want := "uid=1000 gid=1000"
	if out := d.ok(t, "run", "--rm", "-u", "1000:1000", "busybox", "id"); !strings.HasPrefix(out, want) {
		t.Errorf("berth run -u 1000:1000 busybox id = %q, want %q", out, want)
	}
	if out := d.mustDocker(t, "run", "--rm", "-u", "1000:1000", "busybox", "id"); !strings.HasPrefix(out, want) {
		t.Errorf("docker run -u 1000:1000 busybox id = %q, want %q", out, want)
	}
}
