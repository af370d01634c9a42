package container

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/berthproject/berth/internal/oci"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// execEntry is an exec instance (docker exec): created, then started once.
type execEntry struct {
	id          string
	containerID string
	run         time.Time // the StartedAt of the container's run it belongs to
	req         containertypes.ExecCreateRequest
	started     bool
	running     bool
	pid         int
	exitCode    *int
	done        chan struct{}
}

// ExecCreate registers a process to run in a running container.
func (s *Service) ExecCreate(ctx context.Context, ref string, req containertypes.ExecCreateRequest) (string, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return "", err
	}
	if len(req.Cmd) == 0 {
		return "", fmt.Errorf("no exec command specified: %w", errdefs.ErrInvalidArgument)
	}
	c := s.record(e)
	if c.State.Status == containertypes.StatePaused {
		return "", fmt.Errorf("container %s is paused, unpause the container before exec: %w", c.ID, errdefs.ErrConflict)
	}
	if !c.State.running() {
		return "", fmt.Errorf("container %s is not running: %w", c.ID, errdefs.ErrConflict)
	}
	x := &execEntry{id: newID(), containerID: c.ID, run: c.State.StartedAt, req: req, done: make(chan struct{})}
	s.mu.Lock()
	s.sweepExecsLocked()
	s.execs[x.id] = x
	s.mu.Unlock()
	s.emit(c, "exec_create: "+strings.Join(req.Cmd, " "), map[string]string{"execID": x.id})
	return x.id, nil
}

func (s *Service) execByID(id string) (*execEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.execs[id]
	if ok && !s.execCurrentLocked(x) {
		if x.exitCode != nil {
			delete(s.execs, id)
		}
		ok = false
	}
	if !ok {
		return nil, errdefs.ErrNotFound.WithMessage(fmt.Sprintf("No such exec instance: %s", id))
	}
	return x, nil
}

// ExecStart runs an exec instance. Unless detach, it returns the
// process's stream (raw with a tty, else multiplexed); the process runs
// until it exits either way.
func (s *Service) ExecStart(ctx context.Context, execID string, detach bool) (net.Conn, error) {
	x, err := s.execByID(execID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if x.started {
		s.mu.Unlock()
		return nil, fmt.Errorf("exec instance %s has already been started: %w", execID, errdefs.ErrConflict)
	}
	x.started = true
	s.mu.Unlock()
	e, err := s.lookup(x.containerID)
	if err != nil {
		return nil, err
	}
	c := s.record(e)
	if !c.State.running() {
		return nil, fmt.Errorf("container %s is not running: %w", c.ID, errdefs.ErrConflict)
	}
	proc, err := s.execProcess(&c, x.req)
	if err != nil {
		// As Docker: a process that cannot be set up (a user the image
		// lacks) is a command that cannot run, 126; the client reads
		// why in the stream.
		s.finishExec(x, 126)
		return nil, err
	}
	bg := context.WithoutCancel(ctx)
	pid, err := s.cfg.Monitor.Exec(bg, c.ID, MonitorExec{ExecID: x.id, Process: proc, OpenStdin: x.req.AttachStdin})
	if err != nil {
		code, cerr := classifyStartError(s.rootfs(c.ID), proc, err)
		s.finishExec(x, code)
		return nil, cerr
	}
	s.mu.Lock()
	x.running, x.pid = true, pid
	s.mu.Unlock()
	s.emit(c, "exec_start: "+strings.Join(x.req.Cmd, " "), map[string]string{"execID": x.id})
	var conn net.Conn
	if !detach {
		conn, err = s.cfg.Monitor.Attach(bg, x.id, x.req.AttachStdin, x.req.AttachStdout || !x.req.AttachStderr, x.req.AttachStderr || !x.req.AttachStdout)
		if err != nil {
			s.cfg.Logger.Warn("exec attach", "exec", x.id, "err", err)
		}
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		code, ok := s.execExitCode(x.id)
		if !ok {
			return // daemon shutting down: the exec keeps running
		}
		s.finishExec(x, code)
		s.emit(c, "exec_die", map[string]string{"execID": x.id, "exitCode": fmt.Sprint(code)})
	}()
	return conn, err
}

func (s *Service) finishExec(x *execEntry, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x.exitCode != nil {
		return
	}
	x.running, x.exitCode = false, &code
	close(x.done)
}

// ExecWait blocks until an exec instance has exited.
func (s *Service) ExecWait(ctx context.Context, execID string) (int, error) {
	x, err := s.execByID(execID)
	if err != nil {
		return 0, err
	}
	select {
	case <-x.done:
		return *x.exitCode, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// ExecInspect is GET /exec/{id}/json.
func (s *Service) ExecInspect(ctx context.Context, execID string) (containertypes.ExecInspectResponse, error) {
	x, err := s.execByID(execID)
	if err != nil {
		return containertypes.ExecInspectResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	priv := x.req.Privileged
	return containertypes.ExecInspectResponse{
		ID: x.id, Running: x.running, ExitCode: x.exitCode, ContainerID: x.containerID, Pid: x.pid,
		OpenStdin: x.req.AttachStdin, OpenStdout: x.req.AttachStdout, OpenStderr: x.req.AttachStderr,
		CanRemove: !x.running && x.started, DetachKeys: []byte(x.req.DetachKeys),
		ProcessConfig: &containertypes.ExecProcessConfig{
			Tty: x.req.Tty, Entrypoint: x.req.Cmd[0], Arguments: x.req.Cmd[1:], Privileged: &priv, User: x.req.User,
		},
	}, nil
}

// ExecResize resizes an exec's terminal.
func (s *Service) ExecResize(ctx context.Context, execID string, width, height uint16) error {
	x, err := s.execByID(execID)
	if err != nil {
		return err
	}
	return s.cfg.Monitor.Resize(ctx, x.id, width, height)
}

// execProcess is the container's process spec with the exec's changes.
func (s *Service) execProcess(c *Container, req containertypes.ExecCreateRequest) (*specs.Process, error) {
	raw, err := os.ReadFile(filepath.Join(s.bundle(c.ID), "config.json"))
	if err != nil {
		return nil, fmt.Errorf("read the container's spec: %w", err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("read the container's spec: %w", err)
	}
	p := *spec.Process
	p.Args, p.Terminal, p.ConsoleSize = req.Cmd, req.Tty, nil
	if req.ConsoleSize != nil {
		p.ConsoleSize = &specs.Box{Height: req.ConsoleSize[0], Width: req.ConsoleSize[1]}
	}
	p.Env = mergeEnv(p.Env, req.Env)
	if req.WorkingDir != "" {
		p.Cwd = req.WorkingDir
	}
	if req.User != "" {
		u, err := lookupUser(s.rootfs(c.ID), req.User)
		if err != nil {
			return nil, err
		}
		p.User = u
	}
	if req.Privileged {
		all := oci.GrantableCapabilities()
		p.Capabilities = &specs.LinuxCapabilities{Bounding: all, Effective: all, Permitted: all}
	}
	return &p, nil
}
