package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/berthproject/berth/internal/shim"
	"github.com/containerd/errdefs"
)

// attach turns the connection into the process's stdio: output out, stdin
// in, until the output ends or the client hangs up.
func (s *Server) attach(conn *net.UnixConn, br *bufio.Reader, req shim.Request) {
	p, err := s.process(req.ID)
	if err == nil && p.noStdio {
		err = fmt.Errorf("attach %q: %w: %w", req.ID, errNoStdio, errdefs.ErrFailedPrecondition)
	}
	if err != nil {
		reply(conn, shim.ErrorResponse(err, false))
		return
	}
	opts := shim.AttachOptions{Stdout: true, Stderr: true}
	if req.Attach != nil {
		opts = *req.Attach
	}
	reply(conn, shim.Response{Pid: p.pid})
	a := &attachment{conn: conn, stdout: opts.Stdout, stderr: opts.Stderr, done: make(chan struct{})}
	p.out.add(a)
	go func() {
		s.feedStdin(p, br, opts.Stdin)
		// EOF is a half-close: the client may still read output.
	}()
	<-a.done
	p.out.remove(a)
}

// feedStdin copies the client's bytes to the process's stdin. The client's
// EOF closes stdin for a StdinOnce container or an exec.
func (s *Server) feedStdin(p *process, r io.Reader, wantStdin bool) {
	w := p.stdinWriter()
	if !wantStdin || w == nil {
		_, _ = io.Copy(io.Discard, r)
		return
	}
	_, err := io.Copy(w, r)
	if err == nil || errors.Is(err, io.EOF) {
		if p.stdinOnce {
			p.closeStdin()
		}
	}
}

// subscribe streams events to the client until it hangs up.
func (s *Server) subscribe(conn *net.UnixConn, br *bufio.Reader) {
	ch := make(chan shim.Event, 64)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}()
	reply(conn, shim.Response{})
	gone := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, br); close(gone) }()
	// json.Encoder ends each value with "\n": one event per line.
	enc := json.NewEncoder(conn)
	for {
		select {
		case ev := <-ch:
			if err := enc.Encode(ev); err != nil {
				return
			}
		case <-gone:
			return
		}
	}
}

func (s *Server) emit(ev shim.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.subs {
		select {
		case ch <- ev:
		default:
			s.log.Warn("event dropped: subscriber too slow", "id", ev.ID, "type", ev.Type)
		}
	}
}
