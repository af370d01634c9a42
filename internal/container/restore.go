package container

import (
	"context"
	"fmt"
	"time"

	"github.com/berthproject/berth/internal/store"
	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
)

// restore loads the records and reconciles them with what the monitor
// runs: a live container is watched again, one that exited while the
// daemon was away gets its exit recorded (and its restart policy
// applied), one the monitor has lost is recorded as exited with a reason.
// Containers with restart policy always, or unless-stopped and not
// stopped by the user, are started again as Docker does at daemon start.
func (s *Service) restore(ctx context.Context) error {
	var recs []Container
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		recs, err = store.List[Container](tx, store.Containers)
		return err
	})
	if err != nil {
		return fmt.Errorf("load containers: %w", err)
	}
	for _, c := range recs {
		e := &entry{c: c, changed: make(chan struct{})}
		s.byID[c.ID] = e
		s.names[c.Name] = c.ID
	}
	for _, c := range recs {
		e := s.byID[c.ID]
		switch {
		case c.State.running():
			s.reattach(ctx, e)
		case c.State.Status == containertypes.StateRestarting, c.HostConfig.RestartPolicy.Name == containertypes.RestartPolicyAlways,
			c.HostConfig.RestartPolicy.Name == containertypes.RestartPolicyUnlessStopped && !c.ManuallyStopped:
			if c.State.Status == containertypes.StateRestarting || c.State.Status == containertypes.StateExited {
				// "always" comes back after a daemon restart even when the
				// user had stopped it, as Docker's does.
				_ = s.update(ctx, e, func(c *Container) {
					c.State.Status = containertypes.StateRestarting
					if c.HostConfig.RestartPolicy.Name == containertypes.RestartPolicyAlways {
						c.ManuallyStopped = false
					}
				})
				s.scheduleRestart(e, c.ID, 0)
			}
		}
	}
	return nil
}

// reattach picks a container that was running up again.
func (s *Service) reattach(ctx context.Context, e *entry) {
	c := e.c
	st, err := s.cfg.Monitor.State(ctx, c.ID)
	switch {
	case err == nil && (st.Status == "running" || st.Status == "paused" || st.Status == "created"):
		status := containertypes.StateRunning
		if st.Status == "paused" {
			status = containertypes.StatePaused
		}
		_ = s.update(ctx, e, func(c *Container) { c.State.Status, c.State.Pid = status, st.Pid })
		s.watch(e, c.ID, c.State.StartedAt)
		s.startHealth(e, c)
	case err == nil:
		s.handleExit(e, st, st.Reason, c.State.StartedAt)
	case errdefs.IsNotFound(err):
		s.handleExit(e, ProcState{ID: c.ID, ExitCode: 255, ExitedAt: time.Now().UTC()},
			"the container monitor no longer knows this container (it was lost while the daemon was down)", c.State.StartedAt)
	default:
		s.handleExit(e, ProcState{ID: c.ID, ExitCode: 255, ExitedAt: time.Now().UTC()},
			fmt.Sprintf("container monitor unreachable: %v", err), c.State.StartedAt)
	}
}
