package shim

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// SocketName is the shim's socket inside StateDir.
const SocketName = "shim.sock"

// Client talks to one berth-shim. Every call opens its own connection, so a
// Client is safe for concurrent use and survives a shim restart; when the
// shim is gone (crashed, killed) the next call starts a new one, which
// rebuilds its state from the exit records.
type Client struct {
	socket string
	opts   Options
	closed atomic.Bool
	mu     sync.Mutex // serialises relaunches
}

// Close ends the client's use; the shim and its containers keep running.
func (c *Client) Close() error {
	c.closed.Store(true)
	return nil
}

// Connect returns a client of the shim serving stateDir that never starts
// one (for tools; the daemon uses Launch).
func Connect(stateDir string) *Client {
	return &Client{socket: filepath.Join(stateDir, SocketName)}
}

func newClient(opts Options) *Client {
	return &Client{socket: filepath.Join(opts.StateDir, SocketName), opts: opts}
}

// dial opens a connection that ctx's end closes. A shim that does not
// answer is started again (nothing was sent yet, so retrying is safe).
func (c *Client) dial(ctx context.Context) (*net.UnixConn, func(), error) {
	if c.closed.Load() {
		return nil, nil, fmt.Errorf("shim client is closed: %w", errdefs.ErrUnavailable)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.socket)
	if err != nil && c.opts.RuntimeRoot != "" && ctx.Err() == nil && (errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)) {
		if rerr := c.relaunch(ctx); rerr != nil {
			return nil, nil, fmt.Errorf("shim %s is gone and could not be restarted: %w", c.socket, rerr)
		}
		conn, err = d.DialContext(ctx, "unix", c.socket)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("connect to shim %s: %w: %w", c.socket, err, errdefs.ErrUnavailable)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	return conn.(*net.UnixConn), func() { stop() }, nil
}

func send(conn net.Conn, req Request) error {
	data, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encode shim request: %w", err)
	}
	_, err = conn.Write(append(data, '\n'))
	return err
}

// call sends req and returns the response; errors keep their class.
func (c *Client) call(ctx context.Context, req Request) (Response, error) {
	conn, stop, err := c.dial(ctx)
	if err != nil {
		return Response{}, err
	}
	defer conn.Close()
	defer stop()
	if err := send(conn, req); err != nil {
		return Response{}, c.connErr(ctx, req, err)
	}
	var resp Response
	if err := json.NewDecoder(bufio.NewReader(conn)).Decode(&resp); err != nil {
		return Response{}, c.connErr(ctx, req, err)
	}
	return resp, resp.Err()
}

func (c *Client) connErr(ctx context.Context, req Request, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("shim %s %s: %w", req.Op, req.ID, ctx.Err())
	}
	return fmt.Errorf("shim %s %s: %w: %w", req.Op, req.ID, err, errdefs.ErrUnavailable)
}

// Pid returns the shim's process ID.
func (c *Client) Pid(ctx context.Context) (int, error) {
	r, err := c.call(ctx, Request{Op: OpPing})
	return r.Pid, err
}

// Create sets up a container (left "created"); process.terminal in the
// bundle's config.json decides between a pty and pipes.
func (c *Client) Create(ctx context.Context, req CreateRequest) (int, error) {
	r, err := c.call(ctx, Request{Op: OpCreate, ID: req.ID, Create: &req})
	return r.Pid, err
}

// Start runs the created container's process.
func (c *Client) Start(ctx context.Context, id string) error {
	_, err := c.call(ctx, Request{Op: OpStart, ID: id})
	return err
}

// Kill signals the container's init, or with all every process in it; id
// may also name an exec.
func (c *Client) Kill(ctx context.Context, id string, sig syscall.Signal, all bool) error {
	_, err := c.call(ctx, Request{Op: OpKill, ID: id, Signal: int(sig), All: all})
	return err
}

// Pause freezes the container.
func (c *Client) Pause(ctx context.Context, id string) error {
	_, err := c.call(ctx, Request{Op: OpPause, ID: id})
	return err
}

// Resume thaws the container.
func (c *Client) Resume(ctx context.Context, id string) error {
	_, err := c.call(ctx, Request{Op: OpResume, ID: id})
	return err
}

// Update changes the container's resource limits.
func (c *Client) Update(ctx context.Context, id string, res *specs.LinuxResources) error {
	_, err := c.call(ctx, Request{Op: OpUpdate, ID: id, Resources: res})
	return err
}

// Ps lists the host pids of the container's processes.
func (c *Client) Ps(ctx context.Context, id string) ([]int, error) {
	r, err := c.call(ctx, Request{Op: OpPs, ID: id})
	return r.Pids, err
}

// State returns a container's (or exec's) state; errdefs.ErrNotFound if
// the shim does not know it.
func (c *Client) State(ctx context.Context, id string) (State, error) {
	r, err := c.call(ctx, Request{Op: OpState, ID: id})
	if err != nil || r.State == nil {
		return State{}, err
	}
	return *r.State, nil
}

// List returns every container the shim knows, running or not.
func (c *Client) List(ctx context.Context) ([]State, error) {
	r, err := c.call(ctx, Request{Op: OpList})
	return r.States, err
}

// Wait blocks until the container (or exec, by exec ID) has exited and
// its output is drained; at once if it already has.
func (c *Client) Wait(ctx context.Context, id string) (State, error) {
	r, err := c.call(ctx, Request{Op: OpWait, ID: id})
	if err != nil || r.State == nil {
		return State{}, err
	}
	return *r.State, nil
}

// Delete removes an exited (or created) container: runtime state, cgroup,
// exit records. A running one is refused (errdefs.ErrFailedPrecondition).
func (c *Client) Delete(ctx context.Context, id string) error {
	_, err := c.call(ctx, Request{Op: OpDelete, ID: id})
	return err
}

// DeleteExec forgets an exec that has exited, once its exit status has
// been read: its record in the shim and its exit file. A running exec is
// refused (errdefs.ErrFailedPrecondition), an unknown one is NotFound.
func (c *Client) DeleteExec(ctx context.Context, execID string) error {
	_, err := c.call(ctx, Request{Op: OpDeleteExec, ID: execID})
	return err
}

// ForgetExecs forgets every exec the shim holds except those in keep, and
// returns how many it forgot: an exited exec at once (its record and exit
// file), a running one as soon as it exits (it keeps running; no exit file
// is written for it). Launch calls it with no keep: execs started before
// the caller's session are ones nobody can ask about any more.
func (c *Client) ForgetExecs(ctx context.Context, keep ...string) (int, error) {
	r, err := c.call(ctx, Request{Op: OpForgetExecs, Keep: keep})
	return r.Count, err
}

// Exec starts a process in a running container and returns its host pid.
// Its output is kept (up to a bound) until the first Attach.
func (c *Client) Exec(ctx context.Context, id string, req ExecRequest) (int, error) {
	r, err := c.call(ctx, Request{Op: OpExec, ID: id, Exec: &req})
	return r.Pid, err
}

// Resize sets the terminal size of a container's or exec's pty.
func (c *Client) Resize(ctx context.Context, id string, width, height uint16) error {
	_, err := c.call(ctx, Request{Op: OpResize, ID: id, Width: width, Height: height})
	return err
}
