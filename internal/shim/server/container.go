package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/berthproject/berth/internal/logfile"
	"github.com/berthproject/berth/internal/runtime"
	"github.com/berthproject/berth/internal/shim"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// create makes a container through the runtime with the shim as the parent
// of its init. On failure nothing is left: no record, no runtime state.
func (s *Server) create(ctx context.Context, req shim.CreateRequest) (pid int, retErr error) {
	if err := checkID("container", req.ID); err != nil {
		return 0, err
	}
	if err := req.Log.Validate(); err != nil {
		return 0, err
	}
	spec, err := readSpec(req.Bundle)
	if err != nil {
		return 0, err
	}
	c := &container{id: req.ID, init: newProcess(req.ID, ""), execs: map[string]*process{}}
	c.meta = meta{Create: req, Terminal: spec.Process.Terminal, Created: time.Now().UTC()}
	if spec.Linux != nil {
		c.meta.CgroupsPath = spec.Linux.CgroupsPath
	}
	// Reserve the ID for the slow part; the container is visible only
	// once created.
	s.mu.Lock()
	ok := s.reserve(req.ID)
	s.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("container %q already exists: %w", req.ID, errdefs.ErrAlreadyExists)
	}
	defer func() {
		s.mu.Lock()
		delete(s.reserved, req.ID)
		if retErr == nil {
			s.containers[req.ID] = c
		}
		s.mu.Unlock()
	}()
	dir := s.containerDir(req.ID)
	var sio *stdio
	defer func() {
		if retErr == nil {
			return
		}
		if sio != nil {
			sio.closeAll()
		}
		if c.logw != nil {
			c.logw.Close()
		}
		os.RemoveAll(dir)
	}()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("container state dir: %w", err)
	}
	if c.logw, err = logfile.NewWriter(req.Log); err != nil {
		return 0, err
	}
	if sio, err = newStdio(dir, spec.Process.Terminal, req.OpenStdin); err != nil {
		return 0, err
	}
	c.init.terminal = spec.Process.Terminal
	c.init.stdinOnce = req.StdinOnce
	c.init.out.raw = spec.Process.Terminal
	opts := runtime.CreateOpts{ConsoleSocket: sio.consolePath(), Stdin: sio.childIn, Stdout: sio.childOut, Stderr: sio.childErr}
	if err := s.rt.Create(ctx, req.ID, req.Bundle, opts); err != nil {
		return 0, err
	}
	st, err := s.rt.State(ctx, req.ID)
	if err == nil && st.Pid <= 0 {
		err = fmt.Errorf("container init exited during create")
	}
	if err == nil {
		err = sio.created()
	}
	if err == nil {
		c.meta.Pid = st.Pid
		err = writeRecord(filepath.Join(dir, "meta.json"), c.meta)
	}
	if err != nil {
		_ = s.rt.Delete(ctx, req.ID, true)
		return 0, err
	}
	c.init.pid = st.Pid
	c.init.startPumps(sio, c.logw)
	s.reaper.watch(st.Pid, func(code int, lost bool) { s.exited(c, c.init, code, lost) })
	s.log.Info("container created", "id", req.ID, "pid", st.Pid)
	return st.Pid, nil
}

// readSpec reads what the shim itself needs from the bundle: the runtime
// validates the rest.
func readSpec(bundle string) (*specs.Spec, error) {
	if bundle == "" {
		return nil, fmt.Errorf("create: no bundle: %w", errdefs.ErrInvalidArgument)
	}
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("bundle %s has no config.json: %w", bundle, errdefs.ErrInvalidArgument)
		}
		return nil, fmt.Errorf("bundle %s: %w", bundle, err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("bundle %s: config.json: %w: %w", bundle, err, errdefs.ErrInvalidArgument)
	}
	if spec.Process == nil {
		return nil, fmt.Errorf("bundle %s: config.json has no process: %w", bundle, errdefs.ErrInvalidArgument)
	}
	return &spec, nil
}

func (s *Server) start(ctx context.Context, id string) error {
	c, err := s.lookup(id)
	if err != nil {
		return err
	}
	if c.init.hasExited() {
		return fmt.Errorf("container %q has exited: %w", id, errdefs.ErrFailedPrecondition)
	}
	return s.rt.Start(ctx, id)
}

func (s *Server) kill(ctx context.Context, req shim.Request) error {
	sig := syscall.Signal(req.Signal)
	s.mu.Lock()
	c, isContainer := s.containers[req.ID]
	p, isExec := s.execs[req.ID]
	s.mu.Unlock()
	switch {
	case isContainer:
		if c.init.hasExited() {
			return fmt.Errorf("container %q is not running: %w", req.ID, errdefs.ErrFailedPrecondition)
		}
		return s.rt.Kill(ctx, req.ID, sig, req.All)
	case isExec:
		if p.hasExited() {
			return fmt.Errorf("exec %q is not running: %w", req.ID, errdefs.ErrFailedPrecondition)
		}
		if err := syscall.Kill(p.pid, sig); err != nil {
			return fmt.Errorf("signal exec %q: %w", req.ID, err)
		}
		return nil
	}
	return fmt.Errorf("container or exec %q: %w", req.ID, errdefs.ErrNotFound)
}

// runtimeOp passes pause, resume, update and ps to the runtime.
func (s *Server) runtimeOp(ctx context.Context, req shim.Request) (shim.Response, error) {
	c, err := s.lookup(req.ID)
	if err != nil {
		return shim.Response{}, err
	}
	if c.init.hasExited() {
		return shim.Response{}, fmt.Errorf("container %q is not running: %w", req.ID, errdefs.ErrFailedPrecondition)
	}
	switch req.Op {
	case shim.OpPause:
		return shim.Response{}, s.rt.Pause(ctx, req.ID)
	case shim.OpResume:
		return shim.Response{}, s.rt.Resume(ctx, req.ID)
	case shim.OpUpdate:
		if req.Resources == nil {
			return shim.Response{}, fmt.Errorf("update %q: no resources: %w", req.ID, errdefs.ErrInvalidArgument)
		}
		return shim.Response{}, s.rt.Update(ctx, req.ID, req.Resources)
	}
	pids, err := s.rt.Ps(ctx, req.ID)
	return shim.Response{Pids: pids}, err
}

// stateOf describes a container or an exec.
func (s *Server) stateOf(ctx context.Context, id string) (shim.State, error) {
	s.mu.Lock()
	c, isContainer := s.containers[id]
	p, isExec := s.execs[id]
	s.mu.Unlock()
	switch {
	case isContainer:
		return s.containerState(ctx, c), nil
	case isExec:
		return processState(p, shim.StatusRunning), nil
	}
	return shim.State{}, fmt.Errorf("container or exec %q: %w", id, errdefs.ErrNotFound)
}

func (s *Server) containerState(ctx context.Context, c *container) shim.State {
	status := shim.StatusRunning
	if !c.init.hasExited() {
		if st, err := s.rt.State(ctx, c.id); err == nil {
			switch st.Status {
			case specs.StateCreated:
				status = shim.StatusCreated
			case "paused":
				status = shim.StatusPaused
			}
		}
	}
	return processState(c.init, status)
}

// processState reports a process, stopped once its exit is recorded.
func processState(p *process, live string) shim.State {
	st := shim.State{ID: p.cid, ExecID: p.execID, Status: live, Pid: p.pid}
	if p.execID != "" {
		st.ID = p.execID
	}
	if p.hasExited() {
		st.Status = shim.StatusStopped
		st.ExitCode, st.ExitedAt, st.OOMKilled, st.Reason = p.exit.ExitCode, p.exit.ExitedAt, p.exit.OOMKilled, p.exit.Reason
	}
	return st
}

func (s *Server) list(ctx context.Context) []shim.State {
	s.mu.Lock()
	cs := make([]*container, 0, len(s.containers))
	for _, c := range s.containers {
		cs = append(cs, c)
	}
	s.mu.Unlock()
	out := make([]shim.State, 0, len(cs))
	for _, c := range cs {
		out = append(out, s.containerState(ctx, c))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *Server) wait(ctx context.Context, id string) (shim.State, error) {
	p, err := s.process(id)
	if err != nil {
		return shim.State{}, err
	}
	select {
	case <-p.exited:
	case <-ctx.Done():
		return shim.State{}, ctx.Err()
	}
	return processState(p, shim.StatusStopped), nil
}

// delete removes an exited or never-started container and its records.
func (s *Server) delete(ctx context.Context, id string) error {
	c, err := s.lookup(id)
	if err != nil {
		return err
	}
	if !c.init.hasExited() {
		st, err := s.rt.State(ctx, id)
		if err == nil && st.Status != specs.StateCreated {
			return fmt.Errorf("container %q is %s; kill it first: %w", id, st.Status, errdefs.ErrFailedPrecondition)
		}
		// A created container's init never ran the user's process:
		// the runtime kills it, and the reaper records its end.
		if err := s.rt.Delete(ctx, id, true); err != nil {
			return err
		}
		select {
		case <-c.init.exited:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := s.rt.Delete(ctx, id, true); err != nil && !errors.Is(err, errdefs.ErrNotFound) {
		return err
	}
	s.mu.Lock()
	delete(s.containers, id)
	for eid := range c.execs {
		delete(s.execs, eid)
	}
	s.mu.Unlock()
	if c.logw != nil {
		c.logw.Close()
	}
	if err := os.RemoveAll(s.containerDir(id)); err != nil {
		return fmt.Errorf("remove records of %q: %w", id, err)
	}
	s.log.Info("container deleted", "id", id)
	return nil
}
