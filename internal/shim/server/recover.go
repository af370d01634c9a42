package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/logfile"
	"github.com/berthproject/berth/internal/shim"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// reasonShimDied explains an exit code a new shim could not learn.
const reasonShimDied = "the shim monitoring it exited before the container: exit code lost"

// recoverAll rebuilds the containers of a previous shim of this state dir
// from its records. Recorded exits are served as they were; a container
// still running is adopted (signals, exec, pause and state work; its output
// fifos are reopened, so logging and attach resume; a terminal's pty died
// with the old shim) and recorded as exited with code 255 once the runtime
// sees it gone; one already gone is recorded so at once.
func (s *Server) recoverAll(ctx context.Context) {
	entries, err := os.ReadDir(filepath.Join(s.stateDir, "containers"))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			s.log.Error("read container records", "err", err)
		}
		return
	}
	for _, e := range entries {
		if e.IsDir() {
			s.recoverOne(ctx, e.Name())
		}
	}
}

func (s *Server) recoverOne(ctx context.Context, id string) {
	dir := s.containerDir(id)
	c := &container{id: id, init: newProcess(id, ""), execs: map[string]*process{}}
	ok, err := readRecord(filepath.Join(dir, "meta.json"), &c.meta)
	if err != nil || !ok {
		// A create that died half-way: nothing to serve.
		s.log.Warn("drop container without a record", "id", id, "err", err)
		os.RemoveAll(dir)
		return
	}
	c.init.pid, c.init.terminal, c.init.noStdio = c.meta.Pid, c.meta.Terminal, true
	s.recoverExecs(c)
	s.containers[id] = c
	if ok, err := readRecord(s.exitPath(id, ""), &c.init.exit); ok && err == nil {
		c.init.out.close()
		close(c.init.exited)
		return
	}
	st, err := s.rt.State(ctx, id)
	if err != nil || st.Status == specs.StateStopped || st.Pid != c.meta.Pid {
		s.recordLost(c)
		return
	}
	s.log.Info("adopted running container", "id", id, "pid", st.Pid)
	s.reattachOutput(c)
	go s.watchAdopted(c)
}

// reattachOutput reopens an adopted container's output fifos and log, so
// that its later output is logged and attachable. A terminal's pty master
// died with the old shim: such a container stays without stdio.
func (s *Server) reattachOutput(c *container) {
	if c.meta.Terminal {
		return
	}
	sio, err := reopenOutput(s.containerDir(c.id))
	if err != nil {
		s.log.Warn("adopted container keeps no output", "id", c.id, "err", err)
		return
	}
	logw, err := logfile.NewWriter(c.meta.Create.Log)
	if err != nil {
		sio.closeAll()
		s.log.Warn("adopted container keeps no output", "id", c.id, "err", err)
		return
	}
	c.logw = logw
	c.init.noStdio = false
	c.init.out.raw = false
	c.init.startPumps(sio, logw)
}

// recoverExecs loads the exit records of a container's execs; execs that
// had not exited are not known to the new shim.
func (s *Server) recoverExecs(c *container) {
	files, _ := filepath.Glob(filepath.Join(s.containerDir(c.id), "exec-*.json"))
	for _, f := range files {
		eid := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "exec-"), ".json")
		p := newProcess(c.id, eid)
		p.noStdio = true
		if ok, err := readRecord(f, &p.exit); !ok || err != nil {
			continue
		}
		p.pid = p.exit.Pid
		p.out.close()
		close(p.exited)
		c.execs[eid] = p
		s.execs[eid] = p
	}
}

// watchAdopted waits for an adopted init (not our child) to go away.
func (s *Server) watchAdopted(c *container) {
	fd, err := unix.PidfdOpen(c.meta.Pid, 0)
	if err == nil {
		defer unix.Close(fd)
		for {
			_, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, -1)
			if err == nil || !errors.Is(err, unix.EINTR) {
				break
			}
		}
	} else {
		// No pidfd: ask the runtime until it sees the container gone.
		for {
			st, err := s.rt.State(context.Background(), c.id)
			if err != nil || st.Status == specs.StateStopped {
				break
			}
			time.Sleep(time.Second)
		}
	}
	s.recordLost(c)
}

func (s *Server) recordLost(c *container) {
	rec := exitRecord{Pid: c.meta.Pid, ExitCode: shim.ExitCodeLost, ExitedAt: time.Now().UTC(), Reason: reasonShimDied}
	if err := writeRecord(s.exitPath(c.id, ""), rec); err != nil {
		s.log.Error("exit record", "id", c.id, "err", err)
	}
	c.init.drain()
	c.init.exit = rec
	close(c.init.exited)
	s.emit(shim.Event{ID: c.id, Type: shim.EventExit, ExitCode: rec.ExitCode, At: rec.ExitedAt})
}
