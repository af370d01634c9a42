package e2e

import (
	"strings"
	"testing"
)

// TestGapsIpcSharesShm: --ipc container:X shares X's /dev/shm (POSIX shm
// lives there), both ways, not only the SysV IPC namespace.
func TestGapsIpcSharesShm(t *testing.T) {
	needRoot(t)
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "shmowner", "--ipc", "shareable", "--network", "none", "busybox", "sleep", "1000")
	d.mustDocker(t, "exec", "shmowner", "sh", "-c", "echo from-owner > /dev/shm/owned")

	got := d.mustDocker(t, "run", "--rm", "--network", "none", "--ipc", "container:shmowner", "busybox",
		"sh", "-c", "cat /dev/shm/owned && echo from-joiner > /dev/shm/joined")
	if got != "from-owner" {
		t.Fatalf("joiner reads /dev/shm/owned = %q, want from-owner", got)
	}
	if got := d.mustDocker(t, "exec", "shmowner", "cat", "/dev/shm/joined"); got != "from-joiner" {
		t.Fatalf("owner reads /dev/shm/joined = %q, want from-joiner", got)
	}
	// A private container still has its own /dev/shm.
	if r := d.docker(t, nil, "run", "--rm", "--network", "none", "busybox", "cat", "/dev/shm/owned"); r.code == 0 {
		t.Fatalf("a private container sees the owner's /dev/shm: %s", r)
	}
}

// TestGapsPidOwnerRemovedFirst: when the owner of a shared pid namespace
// is removed, the kernel ends the processes that joined it; rm -f of such
// a container then succeeds, as with Docker.
func TestGapsPidOwnerRemovedFirst(t *testing.T) {
	needRoot(t)
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "pidowner", "--network", "none", "--ipc", "shareable", "busybox", "sleep", "1000")
	d.mustDocker(t, "run", "-d", "--name", "pidjoiner", "--network", "none", "--pid", "container:pidowner", "busybox", "sleep", "1000")
	d.mustDocker(t, "run", "-d", "--name", "pidjoiner2", "--network", "container:pidowner", "--ipc", "container:pidowner", "--pid", "container:pidowner", "busybox", "sleep", "1000")
	if ps := d.mustDocker(t, "exec", "pidjoiner", "ps", "-o", "comm"); strings.Count(ps, "sleep") != 3 {
		t.Fatalf("joiner sees %q, want both sleeps", ps)
	}
	// One command: the joiner is removed right after the owner, while its
	// end (the kernel's doing) may not have been seen yet.
	d.mustDocker(t, "rm", "-f", "pidowner", "pidjoiner", "pidjoiner2")
	if out := d.mustDocker(t, "ps", "-aq"); out != "" {
		t.Fatalf("containers left after rm -f: %q", out)
	}
}
