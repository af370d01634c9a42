package runtime

import (
	"fmt"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// exeHandle is the runtime binary as the init re-executes it.
//
// CVE-2019-5736: a container process can open /proc/<init>/exe while the
// init (or an exec'd process) still runs the runtime binary, and write
// through it later to replace the host's binary. The re-exec therefore goes
// through a read-only bind mount of the binary, made in a throw-away mount
// namespace of one locked thread: /proc/<pid>/exe then names a file on a
// read-only mount that no container can remount, and the host sees no mount
// at all. This costs a few syscalls per start, against a ~10 MB memfd copy.
type exeHandle struct {
	path string // what to exec: /proc/self/fd/N
	file *os.File
}

// High enough not to collide with the fds the child receives (0..2 and
// ExtraFiles), which Go dup2s into place before exec.
const exeFdFloor = 200

func openExe() (*exeHandle, error) {
	var fd int
	err := onThrowawayThread(func() error {
		var err error
		fd, err = roExe()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("protect runtime binary: %w", err)
	}
	f := os.NewFile(uintptr(fd), "berth-runc-exe")
	return &exeHandle{path: "/proc/self/fd/" + strconv.Itoa(fd), file: f}, nil
}

func roExe() (int, error) {
	self, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return -1, err
	}
	if err := unix.Unshare(unix.CLONE_FS | unix.CLONE_NEWNS); err != nil {
		return -1, fmt.Errorf("unshare: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return -1, fmt.Errorf("make / rslave: %w", err)
	}
	if err := unix.Mount(self, self, "", unix.MS_BIND, ""); err != nil {
		return -1, fmt.Errorf("bind %s: %w", self, err)
	}
	if err := unix.Mount("", self, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		return -1, fmt.Errorf("remount %s read-only: %w", self, err)
	}
	fd, err := unix.Open(self, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	high, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, exeFdFloor)
	unix.Close(fd)
	return high, err
}

func (e *exeHandle) Close() { e.file.Close() }

// onThrowawayThread runs fn on an OS thread that is destroyed afterwards,
// for work that changes the thread's namespaces. Never the main thread: Go
// keeps it alive (wedged) instead of destroying it, and /proc/self is the
// main thread's view.
func onThrowawayThread(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with us
		if unix.Gettid() == unix.Getpid() {
			// Keep the main thread busy so the retry lands elsewhere.
			err := onThrowawayThread(fn)
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		errc <- fn()
	}()
	return <-errc
}
