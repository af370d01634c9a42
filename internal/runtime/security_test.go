package runtime_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/runtime"
	"github.com/berthproject/berth/internal/runtime/testutil"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// TestRuntimeBinaryReadOnly is the CVE-2019-5736 regression test: while a
// container's init still runs the runtime binary, /proc/<pid>/exe cannot be
// opened for writing, and the host sees no extra mount.
func TestRuntimeBinaryReadOnly(t *testing.T) {
	e := newEnv(t)
	id, spec := e.spec("true")
	if err := e.create(id, spec, nil, nil); err != nil {
		t.Fatal(err)
	}
	st, err := e.rt.State(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	// The attack: hold /proc/<init>/exe with O_PATH while the init runs
	// the runtime, and reopen it for writing once it has exec'd.
	exe := fmt.Sprintf("/proc/%d/exe", st.Pid)
	pathFd, err := unix.Open(exe, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pathFd)
	if err := e.rt.Start(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	_, _ = runtime.Wait(st.Pid)
	f, err := os.OpenFile(fmt.Sprintf("/proc/self/fd/%d", pathFd), os.O_WRONLY, 0)
	if err == nil {
		f.Close()
		t.Fatal("the runtime binary can be opened for writing through a container's /proc/<pid>/exe")
	}
	// The test binary itself still runs (ETXTBSY would hide EROFS here),
	// so check the mount directly: it must be read-only.
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(pathFd, &sfs); err != nil {
		t.Fatal(err)
	}
	if sfs.Flags&unix.ST_RDONLY == 0 {
		t.Errorf("the container init's binary is on a writable mount (reopen: %v)", err)
	}
	self, _ := os.Executable()
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mi), " "+self+" ") {
		t.Errorf("the read-only bind of %s is visible on the host", self)
	}
}

// TestNoHostFdOrCwdLeak is the CVE-2024-21626 regression test: an fd the
// caller leaked without O_CLOEXEC and the caller's working directory must
// not reach the container process.
func TestNoHostFdOrCwdLeak(t *testing.T) {
	e := newEnv(t)
	hostDir := t.TempDir()
	fd, err := unix.Open(hostDir, unix.O_RDONLY|unix.O_DIRECTORY, 0) // no O_CLOEXEC, on purpose
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	t.Chdir(hostDir)
	id, spec := e.spec(sh(`echo cwd=$(readlink /proc/1/cwd); for f in /proc/1/fd/*; do echo fd=$(readlink $f); done`)...)
	out := e.runOK(id, spec)
	if strings.Contains(out, hostDir) {
		t.Errorf("host directory %s visible in the container:\n%s", hostDir, out)
	}
	if lines(out)["cwd"] != "/" {
		t.Errorf("container cwd %q, want /", lines(out)["cwd"])
	}
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "fd="); ok && !strings.HasPrefix(v, "pipe:") && v != "/dev/null" && v != "/null" && !strings.HasPrefix(v, "/proc/") {
			t.Errorf("unexpected fd in the container process: %s", v)
		}
	}
}

// TestBindDestinationSymlinkStaysInside: a symlink in the image pointing at
// a host path cannot redirect a mount onto the host.
func TestBindDestinationSymlinkStaysInside(t *testing.T) {
	e := newEnv(t)
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	if err := testutil.MakeRootfs(rootfs); err != nil {
		t.Fatal(err)
	}
	hostDir := t.TempDir() // the target the image tries to reach
	if err := os.Symlink(hostDir, filepath.Join(rootfs, "escape")); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "marker"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	id := testutil.UniqueID("symlink")
	spec := testutil.Spec(rootfs, id, "ls", "/escape/")
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/escape", Type: "bind", Source: src, Options: []string{"rbind", "ro"}})
	out := e.runOK(id, spec)
	if strings.TrimSpace(out) != "marker" {
		t.Errorf("container sees %q at /escape", out)
	}
	if entries, _ := os.ReadDir(hostDir); len(entries) != 0 {
		t.Errorf("the host directory was written through the symlink: %v", entries)
	}
}
