package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Fifo names in a container's record dir.
const (
	fifoStdin  = "stdin"
	fifoStdout = "stdout"
	fifoStderr = "stderr"
)

// openFifos makes the container's stdio named pipes. The shim's ends are
// non-blocking (parked on Go's poller); the container's ends are opened
// separately, blocking, because O_NONBLOCK belongs to the open file, and a
// container whose stdout returns EAGAIN would break.
//
// The container's stdout and stderr are opened read-write: a fifo with a
// reader never fails a write with EPIPE, so while no shim runs (after a
// crash) the container's writes fill the pipe and then block, instead of
// killing it with SIGPIPE; the next shim reopens the fifo and drains it.
// EOF still comes when the container's last process closes its ends.
func (s *stdio) openFifos(dir string) (err error) {
	for _, name := range []string{fifoStdout, fifoStderr, fifoStdin} {
		if name == fifoStdin && !s.openStdin {
			continue
		}
		if err := unix.Mkfifo(filepath.Join(dir, name), 0o600); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("stdio fifo: %w", err)
		}
	}
	if s.stdoutR, err = openFifoReader(filepath.Join(dir, fifoStdout)); err != nil {
		return err
	}
	if s.childOut, err = openBlocking(filepath.Join(dir, fifoStdout), unix.O_RDWR); err != nil {
		return err
	}
	if s.stderrR, err = openFifoReader(filepath.Join(dir, fifoStderr)); err != nil {
		return err
	}
	if s.childErr, err = openBlocking(filepath.Join(dir, fifoStderr), unix.O_RDWR); err != nil {
		return err
	}
	if s.openStdin {
		// The reader first (non-blocking open, then made blocking), so that
		// the writer's open finds it.
		if s.childIn, err = openBlocking(filepath.Join(dir, fifoStdin), unix.O_RDONLY); err != nil {
			return err
		}
		if s.stdinW, err = os.OpenFile(filepath.Join(dir, fifoStdin), os.O_WRONLY|unix.O_NONBLOCK, 0); err != nil {
			return fmt.Errorf("stdin fifo: %w", err)
		}
	}
	return nil
}

func openFifoReader(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("stdio fifo: %w", err)
	}
	return f, nil
}

// openBlocking opens a fifo end for the container: opened non-blocking
// (so that it never waits for the other end), then switched to blocking.
func openBlocking(path string, mode int) (*os.File, error) {
	fd, err := unix.Open(path, mode|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("stdio fifo %s: %w", filepath.Base(path), err)
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("stdio fifo %s: %w", filepath.Base(path), err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// reopenOutput reopens an adopted container's output fifos: what it writes
// from now on is logged and attachable again.
func reopenOutput(dir string) (*stdio, error) {
	s := &stdio{}
	var err error
	if s.stdoutR, err = openFifoReader(filepath.Join(dir, fifoStdout)); err != nil {
		return nil, err
	}
	if s.stderrR, err = openFifoReader(filepath.Join(dir, fifoStderr)); err != nil {
		s.stdoutR.Close()
		return nil, err
	}
	return s, nil
}
