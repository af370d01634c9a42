package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// cliContainerDaemon starts a daemon with busybox:latest (CMD sh)
// imported; the harness removes its containers and shim at the end.
func cliContainerDaemon(t *testing.T) *daemon {
	t.Helper()
	d := startDaemon(t)
	importBusybox(t, d, "busybox:latest", "-c", `CMD ["sh"]`)
	return d
}

// cliEventually polls cond until it holds or a generous deadline passes;
// it asserts an outcome, not a duration.
func cliEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cliOpenPty opens a pseudo-terminal pair with x/sys/unix: the master, and
// the slave for the child's stdio.
func cliOpenPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	// Non-blocking, so that Go's poller takes it and read deadlines work.
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	m := os.NewFile(uintptr(fd), "/dev/ptmx")
	var unlock int32
	// fd, not m.Fd(), which would put the file back in blocking mode.
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatalf("unlock pty: %v", e)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty slave: %v", err)
	}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
		t.Fatalf("set pty size: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// cliPtyStep waits until the terminal shows waitFor, then types send.
type cliPtyStep struct{ waitFor, send string }

// berthOnPty runs berth with its stdio on a pty as a user at a terminal
// would, types input, and returns what the terminal showed and the exit code.
func (d *daemon) berthOnPty(t *testing.T, input string, args ...string) (string, int) {
	t.Helper()
	return d.berthOnPtySteps(t, []cliPtyStep{{send: input}}, args...)
}

// cliLockedBuffer is a bytes.Buffer the pty reader fills while the test reads it.
type cliLockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *cliLockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *cliLockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// berthOnPtySteps is berthOnPty with a dialogue: each step waits for the
// terminal to show something before it types, as a user does (what is
// typed before berth puts the terminal in raw mode is cooked by the tty).
func (d *daemon) berthOnPtySteps(t *testing.T, steps []cliPtyStep, args ...string) (string, int) {
	t.Helper()
	master, slave := cliOpenPty(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, berthBin(), args...)
	cmd.Env = append(cleanEnv(), "BERTH_HOST="+d.host)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &unix.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The slave stays open here until the output is read: on Linux a
	// hung-up pty may drop what the master has not read yet.
	var out cliLockedBuffer
	done := make(chan struct{})
	var copyErr error
	go func() { _, copyErr = io.Copy(&out, master); close(done) }()
	for _, st := range steps {
		if st.waitFor != "" {
			cliEventually(t, fmt.Sprintf("%q on the terminal (it shows %q)", st.waitFor, out.String()), func() bool {
				return strings.Contains(out.String(), st.waitFor)
			})
		}
		if _, err := master.Write([]byte(st.send)); err != nil {
			t.Fatal(err)
		}
	}
	err := cmd.Wait()
	if err := master.SetReadDeadline(time.Now().Add(time.Second)); err != nil {
		t.Fatalf("pty read deadline: %v", err)
	}
	<-done
	slave.Close()
	if !errors.Is(copyErr, os.ErrDeadlineExceeded) {
		t.Logf("reading the pty: %v", copyErr)
	}
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}
