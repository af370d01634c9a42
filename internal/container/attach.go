package container

import (
	"context"
	"fmt"
	"net"

	"github.com/containerd/errdefs"
)

// AttachOptions select the streams of an attach.
type AttachOptions struct {
	Stdin, Stdout, Stderr bool
}

// pendingAttach is an attach made before the container's process exists
// (docker run attaches, then starts): Start connects it between the
// monitor's create and start, so no output is lost.
type pendingAttach struct {
	opts AttachOptions
	done chan attachResult
}

type attachResult struct {
	conn net.Conn
	err  error
}

// Attach connects to a container's streams. On a container that is not
// running it waits for the next start (as Docker's attach does) until ctx
// ends. The stream is raw with a tty, else Docker's multiplexed frames.
func (s *Service) Attach(ctx context.Context, ref string, o AttachOptions) (net.Conn, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c := e.c
	defer s.emit(c, "attach", nil)
	if c.State.running() {
		s.mu.Unlock()
		if c.State.Status == "paused" {
			return nil, fmt.Errorf("cannot attach to a paused container: %w", errdefs.ErrConflict)
		}
		return s.cfg.Monitor.Attach(ctx, c.ID, o.Stdin, o.Stdout, o.Stderr)
	}
	p := &pendingAttach{opts: o, done: make(chan attachResult, 1)}
	e.pending = append(e.pending, p)
	s.mu.Unlock()
	select {
	case r := <-p.done:
		return r.conn, r.err
	case <-ctx.Done():
		s.mu.Lock()
		for i, q := range e.pending {
			if q == p {
				e.pending = append(e.pending[:i], e.pending[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
		// Start may have connected it meanwhile.
		select {
		case r := <-p.done:
			if r.conn != nil {
				r.conn.Close()
			}
		default:
		}
		return nil, ctx.Err()
	}
}

// connectPending attaches the waiting clients to the created process.
func (s *Service) connectPending(ctx context.Context, e *entry, id string) {
	s.mu.Lock()
	pending := e.pending
	e.pending = nil
	s.mu.Unlock()
	for _, p := range pending {
		conn, err := s.cfg.Monitor.Attach(ctx, id, p.opts.Stdin, p.opts.Stdout, p.opts.Stderr)
		p.done <- attachResult{conn, err}
	}
}

// failPending ends the attaches waiting for a start that failed.
func (s *Service) failPending(e *entry, err error) {
	s.mu.Lock()
	pending := e.pending
	e.pending = nil
	s.mu.Unlock()
	for _, p := range pending {
		p.done <- attachResult{nil, err}
	}
}

// Resize sets the size of a container's terminal.
func (s *Service) Resize(ctx context.Context, ref string, width, height uint16) error {
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	c := s.record(e)
	if !c.State.running() {
		return fmt.Errorf("container %s is not running: %w", c.ID[:12], errdefs.ErrConflict)
	}
	return s.cfg.Monitor.Resize(ctx, c.ID, width, height)
}
