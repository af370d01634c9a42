package shim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/berthproject/berth/internal/binpath"
	"github.com/containerd/errdefs"
)

// BinaryName is the monitor's executable.
const BinaryName = "berth-shim"

// Ready-pipe answers of a starting shim.
const (
	ReadyOK   = "ready"
	ReadyBusy = "busy" // another shim holds the state dir
)

// Launch connects to the shim serving opts.StateDir, starting one when
// none answers. The shim is detached: it outlives the caller.
//
// A Launch begins the caller's session with the shim (the daemon calls it
// once, when it starts): the execs of an earlier session — a daemon that
// was killed or restarted — are forgotten (ForgetExecs), since their
// status was only ever asked for by the daemon that started them; Docker
// keeps exec instances in dockerd's memory only, too. Containers, and
// execs that still run, are untouched.
func Launch(ctx context.Context, opts Options) (*Client, error) {
	if opts.StateDir == "" || opts.RuntimeRoot == "" {
		return nil, fmt.Errorf("shim: StateDir and RuntimeRoot are required: %w", errdefs.ErrInvalidArgument)
	}
	c := newClient(opts)
	if err := c.relaunch(ctx); err != nil {
		return nil, err
	}
	// Not fatal: the records only cost the shim memory and disk until
	// their container is deleted (and a shim older than forget-execs
	// answers NotImplemented).
	if n, err := c.ForgetExecs(ctx); err != nil {
		opts.logger().Warn("shim: forget the execs of an earlier session", "err", err)
	} else if n > 0 {
		opts.logger().Info("shim: forgot the execs of an earlier session", "count", n)
	}
	return c, nil
}

// relaunch starts the shim unless one answers.
func (c *Client) relaunch(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ping(ctx) == nil {
		return nil
	}
	bin, err := findBinary(c.opts.Binary)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.opts.StateDir, 0o711); err != nil {
		return fmt.Errorf("shim state dir: %w", err)
	}
	answer, err := start(ctx, bin, c.opts)
	if err != nil {
		return err
	}
	switch answer {
	case ReadyOK:
		return nil
	case ReadyBusy:
		// Another launcher won the race; its shim is coming up.
		return waitUp(ctx, c)
	}
	return fmt.Errorf("start %s: %s: %w", bin, answer, errdefs.ErrUnavailable)
}

// ping asks the shim for its pid without relaunching it.
func (c *Client) ping(ctx context.Context) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.socket)
	if err != nil {
		return fmt.Errorf("connect to shim %s: %w: %w", c.socket, err, errdefs.ErrUnavailable)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := send(conn, Request{Op: OpPing}); err != nil {
		return fmt.Errorf("shim ping: %w: %w", err, errdefs.ErrUnavailable)
	}
	var resp Response
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		return fmt.Errorf("shim ping: %w: %w", err, errdefs.ErrUnavailable)
	}
	return resp.Err()
}

// findBinary finds berth-shim: the given path, else beside the running
// executable or on $PATH.
func findBinary(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	return binpath.Find(BinaryName)
}

// start runs the shim in its own session and reads its one-line answer
// from the ready pipe (fd 3).
func start(ctx context.Context, bin string, opts Options) (string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", fmt.Errorf("start shim: %w", err)
	}
	defer r.Close()
	cmd := exec.Command(bin, "--state-dir", opts.StateDir, "--runtime-root", opts.RuntimeRoot, "--ready-fd", "3")
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return "", fmt.Errorf("start %s: %w", bin, err)
	}
	// Reap it if it ever exits while we live; it is not waited for otherwise.
	go func() { _ = cmd.Wait() }()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			r.SetReadDeadline(time.Now())
		case <-done:
		}
	}()
	data, err := io.ReadAll(r)
	if err != nil && ctx.Err() != nil {
		return "", fmt.Errorf("start %s: %w", bin, ctx.Err())
	}
	answer := strings.TrimSpace(string(data))
	if answer == "" {
		return "", fmt.Errorf("start %s: it exited without answering (see %s): %w", bin, filepath.Join(opts.StateDir, "shim.log"), errdefs.ErrUnavailable)
	}
	return answer, nil
}

func waitUp(ctx context.Context, c *Client) error {
	for i := 0; ; i++ {
		err := c.ping(ctx)
		if err == nil || !errors.Is(err, errdefs.ErrUnavailable) || i > 500 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
