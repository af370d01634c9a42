package container

import (
	"context"
	"fmt"
	"time"

	"github.com/berthproject/berth/internal/snapshot"
	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
)

// watch waits in the background for the run of c that started at
// startedAt to end, then records its exit.
func (s *Service) watch(e *entry, id string, startedAt time.Time) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for attempt := 0; ; attempt++ {
			st, err := s.cfg.Monitor.Wait(s.bg, id)
			if s.bg.Err() != nil {
				return // daemon shutting down: the container keeps running
			}
			if err == nil {
				s.handleExit(e, st, st.Reason, startedAt)
				return
			}
			// The monitor went away (a crash, a restart): it is started
			// again on the next call and finds its containers, so ask
			// it before giving the container up.
			s.cfg.Logger.Warn("waiting for the container failed", "id", id, "err", err)
			select {
			case <-s.bg.Done():
				return
			case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
			}
			cur, serr := s.cfg.Monitor.State(s.bg, id)
			switch {
			case serr == nil && cur.Status == "stopped":
				s.handleExit(e, cur, cur.Reason, startedAt)
				return
			case serr == nil:
				continue // still running: wait again
			case errdefs.IsNotFound(serr) || attempt >= 5:
				lost := ProcState{ID: id, Status: "stopped", ExitCode: 255, ExitedAt: time.Now().UTC()}
				s.handleExit(e, lost, fmt.Sprintf("container monitor lost the container: %v", err), startedAt)
				return
			}
		}
	}()
}

// handleExit cleans up after a run (runtime state, rootfs mount), records
// the exit, then applies --rm or the restart policy.
func (s *Service) handleExit(e *entry, st ProcState, reason string, startedAt time.Time) {
	ctx := s.bg
	c := s.record(e)
	_ = s.cfg.Monitor.Delete(ctx, c.ID)
	s.detachNetwork(ctx, c.ID)
	_ = snapshot.Unmount(ctx, s.rootfs(c.ID))
	s.unmountShm(c.ID)
	finished := st.ExitedAt
	if finished.IsZero() {
		finished = time.Now().UTC()
	}
	var restart bool
	var delay time.Duration
	_ = s.update(ctx, e, func(c *Container) {
		c.State.Status, c.State.Pid, c.State.ExitCode = containertypes.StateExited, 0, st.ExitCode
		c.State.OOMKilled, c.State.FinishedAt, c.State.Error = st.OOMKilled, finished.UTC(), reason
		e.exits++
		restart = !e.removed && !c.HostConfig.AutoRemove && shouldRestart(c.HostConfig.RestartPolicy, c.ManuallyStopped, st.ExitCode, c.RestartCount)
		if restart {
			delay = e.nextBackoff(finished.Sub(startedAt))
			c.State.Status = containertypes.StateRestarting
		}
	})
	s.emit(c, "die", map[string]string{"exitCode": fmt.Sprint(st.ExitCode)})
	if st.OOMKilled {
		s.emit(c, "oom", nil)
	}
	switch {
	case c.HostConfig.AutoRemove:
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.Remove(ctx, c.ID, RemoveOptions{Force: true, Volumes: true}); err != nil {
				s.cfg.Logger.Warn("auto-remove", "id", c.ID, "err", err)
			}
		}()
	case restart:
		s.scheduleRestart(e, c.ID, delay)
	}
}

// shouldRestart applies a restart policy to an exit.
func shouldRestart(p containertypes.RestartPolicy, manual bool, code, count int) bool {
	if manual {
		return false
	}
	switch p.Name {
	case containertypes.RestartPolicyAlways, containertypes.RestartPolicyUnlessStopped:
		return true
	case containertypes.RestartPolicyOnFailure:
		return code != 0 && (p.MaximumRetryCount == 0 || count < p.MaximumRetryCount)
	}
	return false
}

// Docker's restart backoff: 100 ms doubling to at most a minute, back to
// the start once a run lasted 10 s.
const (
	backoffStart = 100 * time.Millisecond
	backoffMax   = time.Minute
	backoffReset = 10 * time.Second
)

// nextBackoff returns the delay before the next restart; caller holds s.mu.
func (e *entry) nextBackoff(ran time.Duration) time.Duration {
	if ran >= backoffReset || e.backoff == 0 {
		e.backoff = backoffStart
	} else {
		e.backoff = min(2*e.backoff, backoffMax)
	}
	return e.backoff
}

// scheduleRestart starts the container again after delay, unless the user
// stopped or removed it meanwhile.
func (s *Service) scheduleRestart(e *entry, id string, delay time.Duration) {
	ctx, cancel := context.WithCancel(s.bg)
	s.mu.Lock()
	if e.restartCancel != nil {
		e.restartCancel()
	}
	e.restartCancel = cancel
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		e.op.Lock()
		defer e.op.Unlock()
		c := s.record(e)
		if ctx.Err() != nil || e.removed || c.ManuallyStopped || c.State.Status != containertypes.StateRestarting {
			return
		}
		if err := s.startLocked(ctx, e, true); err != nil {
			s.cfg.Logger.Warn("restart", "id", id, "err", err)
		}
	}()
}

// cancelRestart drops a scheduled restart; a restarting container becomes exited.
func (s *Service) cancelRestart(e *entry) {
	s.mu.Lock()
	cancel := e.restartCancel
	e.restartCancel = nil
	restarting := e.c.State.Status == containertypes.StateRestarting
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if restarting {
		_ = s.update(s.bg, e, func(c *Container) { c.State.Status = containertypes.StateExited })
	}
}
