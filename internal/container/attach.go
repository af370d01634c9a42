package container

import (
	"context"
	"fmt"
	"net"
	"slices"

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

// Attachment is an attach registered with the service. On a container
// that was not running, the next Start connects it between the monitor's
// create and start, so a client that attaches and then starts (docker run)
// loses no output: register first, tell the client, then Wait.
type Attachment struct {
	s   *Service
	e   *entry
	p   *pendingAttach // nil when the container was running
	id  string
	opt AttachOptions
}

// Attach connects to a container's streams. On a container that is not
// running it waits for the next start (as Docker's attach does) until ctx
// ends. The stream is raw with a tty, else Docker's multiplexed frames.
func (s *Service) Attach(ctx context.Context, ref string, o AttachOptions) (net.Conn, error) {
	a, err := s.PrepareAttach(ref, o)
	if err != nil {
		return nil, err
	}
	return a.Wait(ctx)
}

// PrepareAttach registers an attach without waiting: a start that comes
// after it returns connects it.
func (s *Service) PrepareAttach(ref string, o AttachOptions) (*Attachment, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := e.c
	if c.State.running() {
		if c.State.Status == "paused" {
			return nil, fmt.Errorf("cannot attach to a paused container: %w", errdefs.ErrConflict)
		}
		return &Attachment{s: s, e: e, id: c.ID, opt: o}, nil
	}
	p := &pendingAttach{opts: o, done: make(chan attachResult, 1)}
	e.pending = append(e.pending, p)
	return &Attachment{s: s, e: e, p: p, id: c.ID, opt: o}, nil
}

// Wait returns the attached stream: at once for a running container, else
// when the next start connects it. When ctx ends first, the attach is
// withdrawn.
func (a *Attachment) Wait(ctx context.Context) (net.Conn, error) {
	s := a.s
	s.mu.Lock()
	c := a.e.c
	s.mu.Unlock()
	defer s.emit(c, "attach", nil)
	if a.p == nil {
		return s.cfg.Monitor.Attach(ctx, a.id, a.opt.Stdin, a.opt.Stdout, a.opt.Stderr)
	}
	select {
	case r := <-a.p.done:
		return r.conn, r.err
	case <-ctx.Done():
		a.Cancel()
		return nil, ctx.Err()
	}
}

// Cancel withdraws an attach that Wait has not returned: a start no longer
// connects it, and a stream a start connected meanwhile is closed. It is
// safe to call at any time, also after Wait.
func (a *Attachment) Cancel() {
	if a.p == nil {
		return
	}
	a.s.mu.Lock()
	a.e.pending = slices.DeleteFunc(a.e.pending, func(q *pendingAttach) bool { return q == a.p })
	a.s.mu.Unlock()
	select {
	case r := <-a.p.done:
		if r.conn != nil {
			r.conn.Close()
		}
	default:
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
