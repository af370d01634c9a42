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

// TestBugCommitClimbingSymlink: a container's symlink pointing above its
// root (Docker stores it as is) is committed into an image that runs,
// and a tarball holding one imports.
func TestBugCommitClimbingSymlink(t *testing.T) {
	needRoot(t)
	d := cliContainerDaemon(t)
	name := "climb-" + randomHex(t, 4)
	d.ok(t, "run", "--name", name, "busybox", "ln", "-s", "../../../../etc", "/up")
	t.Cleanup(func() { d.berth(t, nil, "rm", "-f", name) })
	d.ok(t, "commit", name, "climbing:1")
	if out := d.ok(t, "run", "--rm", "climbing:1", "readlink", "/up"); out != "../../../../etc\n" {
		t.Errorf("readlink /up in the committed image = %q", out)
	}
	if out := d.ok(t, "run", "--rm", "climbing:1", "cat", "/up/hostname"); out == "" {
		t.Error("/up/hostname is empty: the symlink should resolve to the container's /etc")
	}
}
