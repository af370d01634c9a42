package container

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"github.com/berthproject/berth/internal/oci"
	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
)

// defaultStopTimeout is Docker's grace period before SIGKILL.
const defaultStopTimeout = 10

// StopOptions are POST /containers/{id}/stop's.
type StopOptions struct {
	Signal  string // "" = the container's stop signal
	Timeout *int   // seconds; nil = the container's, -1 = wait forever
}

// Stop sends the stop signal, waits for the grace period, then SIGKILL.
// Stopping a container that is not running is a no-op.
func (s *Service) Stop(ctx context.Context, ref string, o StopOptions) error {
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	e.op.Lock()
	defer e.op.Unlock()
	return s.stopLocked(ctx, e, o)
}

func (s *Service) stopLocked(ctx context.Context, e *entry, o StopOptions) error {
	s.cancelRestart(e)
	c := s.record(e)
	if !c.State.running() {
		return nil
	}
	_ = s.update(ctx, e, func(c *Container) { c.ManuallyStopped = true })
	sigName := o.Signal
	if sigName == "" {
		sigName = c.Config.StopSignal
	}
	sig, err := oci.StopSignal(imageConfig(&c), sigName)
	if err != nil {
		return err
	}
	timeout := defaultStopTimeout
	if c.Config.StopTimeout != nil {
		timeout = *c.Config.StopTimeout
	}
	if o.Timeout != nil {
		timeout = *o.Timeout
	}
	ctx = context.WithoutCancel(ctx)
	if err := s.signal(ctx, &c, sig); err != nil && !exiting(err) {
		return err
	}
	defer s.emit(c, "stop", nil)
	if timeout < 0 {
		return s.waitStopped(ctx, e, 0)
	}
	if timeout > 0 && s.waitStopped(ctx, e, time.Duration(timeout)*time.Second) == nil {
		return nil
	}
	if err := s.signal(ctx, &c, syscall.SIGKILL); err != nil && !exiting(err) {
		return err
	}
	if err := s.waitStopped(ctx, e, 30*time.Second); err != nil {
		return fmt.Errorf("container %s did not stop after SIGKILL: %w", c.ID[:12], err)
	}
	return nil
}

// signal sends sig to c's process; a paused container is thawed after, so
// that the signal is delivered.
func (s *Service) signal(ctx context.Context, c *Container, sig syscall.Signal) error {
	all := sig == syscall.SIGKILL
	if err := s.cfg.Monitor.Kill(ctx, c.ID, sig, all); err != nil {
		return err
	}
	if c.State.Status == containertypes.StatePaused {
		return s.cfg.Monitor.Resume(ctx, c.ID)
	}
	return nil
}

// exiting tells that a signal found no process to deliver to: the
// monitor has it gone or going (its pid namespace's init was killed, say)
// while the exit is not recorded here yet. Stop and remove then only wait.
func exiting(err error) bool {
	return errdefs.IsNotFound(err) || errdefs.IsFailedPrecondition(err)
}

// waitStopped waits until e is no longer running (0 = no limit).
func (s *Service) waitStopped(ctx context.Context, e *entry, limit time.Duration) error {
	var timer <-chan time.Time
	if limit > 0 {
		t := time.NewTimer(limit)
		defer t.Stop()
		timer = t.C
	}
	for {
		s.mu.Lock()
		running, ch := e.c.State.running(), e.changed
		s.mu.Unlock()
		if !running {
			return nil
		}
		select {
		case <-ch:
		case <-timer:
			return context.DeadlineExceeded
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Kill sends a signal (default SIGKILL) to a running container.
func (s *Service) Kill(ctx context.Context, ref, signal string) error {
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	sig := syscall.SIGKILL
	if signal != "" {
		if sig, err = oci.ParseSignal(signal); err != nil {
			return err
		}
	}
	c := s.record(e)
	if !c.State.running() {
		return fmt.Errorf("cannot kill container: %s: container %s is not running: %w", ref, c.ID, errdefs.ErrConflict)
	}
	if sig == syscall.SIGKILL {
		// Docker: a killed container is not brought back by unless-stopped.
		_ = s.update(ctx, e, func(c *Container) { c.ManuallyStopped = true })
	}
	s.emit(c, "kill", map[string]string{"signal": fmt.Sprint(int(sig))})
	return s.signal(context.WithoutCancel(ctx), &c, sig)
}

// Restart stops (if running) and starts a container.
func (s *Service) Restart(ctx context.Context, ref string, o StopOptions) error {
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	e.op.Lock()
	defer e.op.Unlock()
	if err := s.stopLocked(ctx, e, o); err != nil {
		return err
	}
	if err := s.startLocked(ctx, e, false); err != nil {
		return err
	}
	s.emit(s.record(e), "restart", nil)
	return nil
}

// Pause freezes a running container; Unpause thaws it.
func (s *Service) Pause(ctx context.Context, ref string) error {
	return s.freeze(ctx, ref, true)
}

// Unpause thaws a paused container.
func (s *Service) Unpause(ctx context.Context, ref string) error {
	return s.freeze(ctx, ref, false)
}

func (s *Service) freeze(ctx context.Context, ref string, pause bool) error {
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	e.op.Lock()
	defer e.op.Unlock()
	c := s.record(e)
	switch {
	case pause && c.State.Status == containertypes.StatePaused:
		return fmt.Errorf("container %s is already paused: %w", c.ID, errdefs.ErrConflict)
	case pause && c.State.Status != containertypes.StateRunning:
		return fmt.Errorf("container %s is not running: %w", c.ID, errdefs.ErrConflict)
	case !pause && c.State.Status != containertypes.StatePaused:
		return fmt.Errorf("container %s is not paused: %w", c.ID, errdefs.ErrConflict)
	}
	op, status, action := s.cfg.Monitor.Resume, containertypes.StateRunning, "unpause"
	if pause {
		op, status, action = s.cfg.Monitor.Pause, containertypes.StatePaused, "pause"
	}
	if err := op(context.WithoutCancel(ctx), c.ID); err != nil {
		return err
	}
	s.emit(c, action, nil)
	return s.update(ctx, e, func(c *Container) { c.State.Status = status })
}

// Rename gives a container a new name.
func (s *Service) Rename(ctx context.Context, ref, name string) error {
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	if name == "" {
		return fmt.Errorf("neither old nor new names may be empty: %w", errdefs.ErrInvalidArgument)
	}
	s.mu.Lock()
	old := e.c.Name
	if name == old || name == "/"+old {
		s.mu.Unlock()
		return errdefs.ErrInvalidArgument.WithMessage("Renaming a container with the same name as its current name")
	}
	n, err := s.reserveNameLocked(name, e.c.ID)
	if err == nil {
		delete(s.names, old)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.emit(s.record(e), "rename", map[string]string{"oldName": "/" + old})
	return s.update(ctx, e, func(c *Container) { c.Name = n })
}
