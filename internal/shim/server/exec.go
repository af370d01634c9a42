package server

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/runtime"
	"github.com/berthproject/berth/internal/shim"
	"github.com/containerd/errdefs"
	"golang.org/x/sys/unix"
)

// exec starts a process in a running container; its output is kept for
// the first attach, since the client attaches after exec returns.
func (s *Server) exec(ctx context.Context, id string, req shim.ExecRequest) (pid int, retErr error) {
	if err := checkID("exec", req.ExecID); err != nil {
		return 0, err
	}
	if req.Process == nil || len(req.Process.Args) == 0 {
		return 0, fmt.Errorf("exec %q: no process args: %w", req.ExecID, errdefs.ErrInvalidArgument)
	}
	p := newProcess(id, req.ExecID)
	p.terminal = req.Process.Terminal
	p.stdinOnce = true
	p.out.raw = p.terminal
	p.out.keep = true
	s.mu.Lock()
	c, ok := s.containers[id]
	free := ok && s.reserve(req.ExecID)
	s.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("container %q: %w", id, errdefs.ErrNotFound)
	}
	if !free {
		return 0, fmt.Errorf("exec ID %q is in use: %w", req.ExecID, errdefs.ErrAlreadyExists)
	}
	var sio *stdio
	defer func() {
		if retErr != nil && sio != nil {
			sio.closeAll()
		}
		// Visible once started: its pid is known then.
		s.mu.Lock()
		delete(s.reserved, req.ExecID)
		if retErr == nil {
			s.execs[req.ExecID] = p
			c.execs[req.ExecID] = p
		}
		s.mu.Unlock()
	}()
	if c.init.hasExited() {
		return 0, fmt.Errorf("container %q is not running: %w", id, errdefs.ErrFailedPrecondition)
	}
	var err error
	if sio, err = newStdio("", p.terminal, req.OpenStdin); err != nil {
		return 0, err
	}
	opts := runtime.ExecOpts{ConsoleSocket: sio.consolePath(), Stdin: sio.childIn, Stdout: sio.childOut, Stderr: sio.childErr}
	pid, err = s.rt.Exec(ctx, id, req.Process, opts)
	if err != nil {
		return 0, err
	}
	if err := sio.created(); err != nil {
		_ = unix.Kill(pid, unix.SIGKILL)
		s.reaper.watch(pid, func(int, bool) {})
		return 0, err
	}
	p.pid = pid
	p.startPumps(sio, nil)
	s.reaper.watch(pid, func(code int, lost bool) { s.exited(c, p, code, lost) })
	return pid, nil
}

// exited records how p ended — on disk first, so that no crash after
// this point loses it — then drains its output and tells the waiters.
func (s *Server) exited(c *container, p *process, code int, lost bool) {
	rec := exitRecord{Pid: p.pid, ExitCode: code, ExitedAt: time.Now().UTC()}
	if lost {
		rec.ExitCode, rec.Reason = shim.ExitCodeLost, "the process was not the shim's child: its exit code is unknown"
	}
	if p.execID == "" {
		rec.OOMKilled = oomKilled(c.meta.CgroupsPath)
	}
	s.mu.Lock()
	forget := p.forget
	s.mu.Unlock()
	if !forget {
		if err := writeRecord(s.exitPath(c.id, p.execID), rec); err != nil {
			s.log.Error("exit record", "id", c.id, "exec", p.execID, "err", err)
		}
	}
	p.closeStdin()
	p.drain()
	p.exit = rec
	close(p.exited)
	if p.execID != "" {
		time.AfterFunc(keptTTL, p.out.dropKept)
		s.dropIfForgotten(p)
	}
	s.log.Info("process exited", "id", c.id, "exec", p.execID, "code", rec.ExitCode)
	if rec.OOMKilled {
		s.emit(shim.Event{ID: c.id, Type: shim.EventOOM, ExitCode: rec.ExitCode, At: rec.ExitedAt})
	}
	s.emit(shim.Event{ID: c.id, ExecID: p.execID, Type: shim.EventExit, ExitCode: rec.ExitCode, At: rec.ExitedAt})
}

// dropIfForgotten drops an exited exec that forgetExecs marked while it
// ran (the mark may have come after the exit record was written).
func (s *Server) dropIfForgotten(p *process) {
	s.mu.Lock()
	forget := p.forget
	if forget {
		s.dropExecLocked(p)
	}
	s.mu.Unlock()
	if forget {
		if err := s.removeExecRecord(p); err != nil {
			s.log.Warn("forget exec", "exec", p.execID, "err", err)
		}
	}
}

// oomKilled reads the memory cgroup's OOM-kill count (v2 memory.events,
// v1 memory.oom_control); it is still there until the container is deleted.
func oomKilled(cgroupsPath string) bool {
	if cgroupsPath == "" || strings.Contains(cgroupsPath, ":") {
		return false // no cgroup, or systemd's slice:prefix:name
	}
	p := "/" + strings.TrimPrefix(cgroupsPath, "/")
	files := []string{"/sys/fs/cgroup" + p + "/memory.events", "/sys/fs/cgroup/memory" + p + "/memory.oom_control"}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
				n, _ := strconv.Atoi(strings.TrimSpace(v))
				return n > 0
			}
		}
	}
	return false
}
