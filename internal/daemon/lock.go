package daemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/containerd/errdefs"
	"golang.org/x/sys/unix"
)

// rootLock is an flock on <root>/berth.lock: the kernel drops it when the
// daemon dies, however it dies, so a stale lock never blocks a restart.
type rootLock struct{ f *os.File }

func lockRoot(root string) (*rootLock, error) {
	path := filepath.Join(root, "berth.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		holder := ""
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid := strings.TrimSpace(string(b)); pid != "" {
				holder = " (pid " + pid + ")"
			}
		}
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errdefs.ErrConflict.WithMessage(fmt.Sprintf(
				"another berth daemon%s is already running with root %s (lock %s is held)", holder, root, path))
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &rootLock{f: f}, nil
}

func (l *rootLock) release() error {
	// Leave the file in place: removing it would race with a new daemon
	// that already opened it.
	_ = l.f.Truncate(0)
	return l.f.Close()
}
