package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
	"github.com/moby/term"
	"golang.org/x/sys/unix"
)

// errDetached reports that the user typed the detach keys: the container
// keeps running and the CLI exits 0, as Docker's.
var errDetached = errors.New("detached from the container")

// defaultDetachKeys is Docker's escape sequence, ctrl-p ctrl-q.
const defaultDetachKeys = "ctrl-p,ctrl-q"

// stdio is the client side of an attached session.
type stdio struct {
	in         io.Reader // nil when stdin is not attached
	out, err   io.Writer
	tty        bool
	detachKeys string
}

// pump copies stdin into a hijacked connection and its output to the
// client's stdout/stderr, demultiplexing Docker's framing when the session
// has no tty. It returns when the output ends, the user detaches, or ctx
// ends. An EOF on stdin half-closes the connection and keeps reading.
func pump(ctx context.Context, resp client.HijackedResponse, s stdio) error {
	defer resp.Close()
	outDone := make(chan error, 1)
	go func() {
		multiplexed := !s.tty
		if mt, ok := resp.MediaType(); ok {
			multiplexed = mt == "application/vnd.docker.multiplexed-stream"
		}
		var err error
		if multiplexed {
			_, err = stdcopy.StdCopy(s.out, s.err, resp.Reader)
		} else {
			_, err = io.Copy(s.out, resp.Reader)
		}
		outDone <- err
	}()
	inDone := make(chan error, 1)
	if s.in != nil {
		go func() {
			in := s.in
			if s.tty {
				keys, err := term.ToBytes(s.detachKeys)
				if err != nil {
					inDone <- err
					return
				}
				in = term.NewEscapeProxy(in, keys)
			}
			_, err := io.Copy(resp.Conn, in)
			if _, ok := err.(term.EscapeError); ok {
				inDone <- errDetached
				return
			}
			_ = resp.CloseWrite()
			inDone <- nil
		}()
	}
	for {
		select {
		case err := <-outDone:
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				return err
			}
			return nil
		case err := <-inDone:
			if err != nil {
				return err
			}
			inDone = nil // stdin ended; the output may go on
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// rawTerminal puts the client's terminal in raw mode for a -t session and
// returns the function that restores it. With no terminal it does nothing.
func rawTerminal(in io.Reader) func() {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return func() {}
	}
	state, err := term.SetRawTerminal(f.Fd())
	if err != nil {
		return func() {}
	}
	return func() { _ = term.RestoreTerminal(f.Fd(), state) }
}

// terminalSize is the height and width of the client's terminal, if out is one.
func terminalSize(out io.Writer) (h, w uint, ok bool) {
	f, isFile := out.(*os.File)
	if !isFile || !term.IsTerminal(f.Fd()) {
		return 0, 0, false
	}
	ws, err := term.GetWinsize(f.Fd())
	if err != nil || ws.Height == 0 {
		return 0, 0, false
	}
	return uint(ws.Height), uint(ws.Width), true
}

// followResize sends the terminal's size now and on every SIGWINCH until
// the returned stop function is called. The first resize is retried a few
// times, as the docker CLI does, since it may reach the daemon before the
// container's terminal is ready.
func followResize(ctx context.Context, out io.Writer, resize func(ctx context.Context, h, w uint) error) func() {
	if _, _, ok := terminalSize(out); !ok {
		return func() {}
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGWINCH)
	ctx, cancel := context.WithCancel(ctx)
	send := func() error {
		if h, w, ok := terminalSize(out); ok {
			return resize(ctx, h, w)
		}
		return nil
	}
	go func() {
		for i := 1; i <= 10 && send() != nil; i++ {
			select {
			case <-time.After(time.Duration(i) * 10 * time.Millisecond):
			case <-ctx.Done():
				return
			}
		}
		for {
			select {
			case <-ch:
				_ = send()
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { signal.Stop(ch); cancel() }
}

// proxySignals forwards the signals the CLI receives to the container
// (--sig-proxy), as Docker's; it returns the function that stops it.
// SIGCHLD, SIGPIPE, SIGURG (the Go runtime's preemption signal) and
// SIGWINCH are the CLI's own business and are not forwarded.
func proxySignals(ctx context.Context, c *client.Client, id string) func() {
	ch := make(chan os.Signal, 16)
	signal.Notify(ch)
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		for {
			select {
			case s := <-ch:
				sig, ok := s.(syscall.Signal)
				if !ok || sig == syscall.SIGCHLD || sig == syscall.SIGPIPE || sig == syscall.SIGURG || sig == syscall.SIGWINCH {
					continue
				}
				_, _ = c.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: signalName(sig)})
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { signal.Stop(ch); cancel() }
}

// signalName is the name Docker's API takes, e.g. "SIGINT"; unknown
// signals go by number.
func signalName(s syscall.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return strconv.Itoa(int(s))
}
