// Package server is berth-shim, the container monitor: one process that
// creates, watches and serves many containers. See package shim for the
// client and docs/shim.md for the design.
package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"

	"github.com/berthproject/berth/internal/logfile"
	"github.com/berthproject/berth/internal/runtime"
	"github.com/berthproject/berth/internal/shim"
	"github.com/containerd/errdefs"
)

// Server holds every container of one state dir.
type Server struct {
	stateDir string
	rt       *runtime.Runtime
	log      *slog.Logger
	reaper   *reaper
	scavenge idleScavenge

	mu         sync.Mutex
	containers map[string]*container
	execs      map[string]*process // by exec ID, across containers
	reserved   map[string]bool     // container and exec IDs being created
	subs       map[chan shim.Event]struct{}
}

// container is one container the shim serves.
type container struct {
	id    string
	meta  meta
	init  *process
	logw  *logfile.Writer // nil when adopted
	execs map[string]*process
}

func newServer(stateDir, runtimeRoot string, log *slog.Logger) *Server {
	return &Server{
		stateDir:   stateDir,
		rt:         runtime.New(runtimeRoot),
		log:        log,
		reaper:     newReaper(),
		containers: map[string]*container{},
		execs:      map[string]*process{},
		reserved:   map[string]bool{},
		subs:       map[chan shim.Event]struct{}{},
	}
}

func (s *Server) serve(l *net.UnixListener) error {
	for {
		conn, err := l.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			s.log.Warn("accept", "err", err)
			continue
		}
		go s.handle(conn)
	}
}

// handle serves the one request of a connection.
func (s *Server) handle(conn *net.UnixConn) {
	defer conn.Close()
	defer s.scavenge.touch()
	br := bufio.NewReader(conn)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return
	}
	var req shim.Request
	if err := json.Unmarshal(line, &req); err != nil {
		reply(conn, shim.ErrorResponse(fmt.Errorf("bad request: %w: %w", err, errdefs.ErrInvalidArgument), false))
		return
	}
	// The client's hang-up cancels what waits on its behalf.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	switch req.Op {
	case shim.OpAttach:
		s.attach(conn, br, req)
		return
	case shim.OpSubscribe:
		s.subscribe(conn, br)
		return
	case shim.OpWait:
		go func() { _, _ = br.ReadByte(); cancel() }()
	}
	resp, err := s.do(ctx, req)
	if err != nil {
		s.log.Debug("request failed", "op", req.Op, "id", req.ID, "err", err)
		if errors.Is(err, runtime.ErrProcessNotExecutable) {
			resp = shim.NotExecutableResponse(err)
		} else {
			resp = shim.ErrorResponse(err, errors.Is(err, runtime.ErrProcessNotFound))
		}
	}
	reply(conn, resp)
}

func reply(conn net.Conn, resp shim.Response) {
	data, err := json.Marshal(resp)
	if err != nil {
		data, _ = json.Marshal(shim.Response{Error: err.Error()})
	}
	_, _ = conn.Write(append(data, '\n'))
}

func (s *Server) do(ctx context.Context, req shim.Request) (shim.Response, error) {
	switch req.Op {
	case shim.OpPing:
		return shim.Response{Pid: os.Getpid()}, nil
	case shim.OpCreate:
		if req.Create == nil {
			return shim.Response{}, fmt.Errorf("create: no request: %w", errdefs.ErrInvalidArgument)
		}
		pid, err := s.create(ctx, *req.Create)
		return shim.Response{Pid: pid}, err
	case shim.OpStart:
		return shim.Response{}, s.start(ctx, req.ID)
	case shim.OpKill:
		return shim.Response{}, s.kill(ctx, req)
	case shim.OpPause, shim.OpResume, shim.OpUpdate, shim.OpPs:
		return s.runtimeOp(ctx, req)
	case shim.OpState:
		st, err := s.stateOf(ctx, req.ID)
		return shim.Response{State: &st}, err
	case shim.OpList:
		return shim.Response{States: s.list(ctx)}, nil
	case shim.OpWait:
		st, err := s.wait(ctx, req.ID)
		return shim.Response{State: &st}, err
	case shim.OpDelete:
		return shim.Response{}, s.delete(ctx, req.ID)
	case shim.OpDeleteExec:
		return shim.Response{}, s.deleteExec(req.ID)
	case shim.OpForgetExecs:
		n, err := s.forgetExecs(req.Keep)
		return shim.Response{Count: n}, err
	case shim.OpExec:
		if req.Exec == nil {
			return shim.Response{}, fmt.Errorf("exec: no request: %w", errdefs.ErrInvalidArgument)
		}
		pid, err := s.exec(ctx, req.ID, *req.Exec)
		return shim.Response{Pid: pid}, err
	case shim.OpResize:
		p, err := s.process(req.ID)
		if err != nil {
			return shim.Response{}, err
		}
		if !p.terminal {
			return shim.Response{}, fmt.Errorf("%s has no terminal to resize: %w", req.ID, errdefs.ErrFailedPrecondition)
		}
		if p.hasExited() {
			return shim.Response{}, fmt.Errorf("%s has exited: %w", req.ID, errdefs.ErrFailedPrecondition)
		}
		return shim.Response{}, p.resize(req.Width, req.Height)
	}
	return shim.Response{}, fmt.Errorf("unknown operation %q: %w", req.Op, errdefs.ErrNotImplemented)
}

// reserve claims a new container or exec ID until release; false if it
// is in use. Callers hold s.mu.
func (s *Server) reserve(id string) bool {
	_, isContainer := s.containers[id]
	_, isExec := s.execs[id]
	if isContainer || isExec || s.reserved[id] {
		return false
	}
	s.reserved[id] = true
	return true
}

// lookup returns a container by ID.
func (s *Server) lookup(id string) (*container, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.containers[id]
	if !ok {
		return nil, fmt.Errorf("container %q: %w", id, errdefs.ErrNotFound)
	}
	return c, nil
}

// process returns a container's init or an exec, by ID.
func (s *Server) process(id string) (*process, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.containers[id]; ok {
		return c.init, nil
	}
	if p, ok := s.execs[id]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("container or exec %q: %w", id, errdefs.ErrNotFound)
}
