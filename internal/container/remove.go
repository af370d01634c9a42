package container

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/berthproject/berth/internal/snapshot"
	"github.com/berthproject/berth/internal/store"
	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
)

// RemoveOptions are DELETE /containers/{id}'s.
type RemoveOptions struct {
	Force   bool // kill a running container first
	Volumes bool // remove its anonymous volumes
}

// Remove deletes a container: its process (with Force), writable layer,
// bundle, logs and record; its anonymous volumes with Volumes.
func (s *Service) Remove(ctx context.Context, ref string, o RemoveOptions) error {
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	e.op.Lock()
	defer e.op.Unlock()
	if e.removed {
		return nil
	}
	s.cancelRestart(e)
	c := s.record(e)
	if c.State.running() {
		if !o.Force {
			what := "running"
			if c.State.Status == containertypes.StatePaused {
				what = "paused"
			}
			return fmt.Errorf("cannot remove container \"/%s\": container is %s: stop the container before removing or force remove: %w", c.Name, what, errdefs.ErrConflict)
		}
		_ = s.update(ctx, e, func(c *Container) { c.ManuallyStopped = true })
		if err := s.signal(ctx, &c, syscall.SIGKILL); err != nil && !exiting(err) {
			return err
		}
		if err := s.waitStopped(ctx, e, 30*time.Second); err != nil {
			return fmt.Errorf("remove %s: the container did not exit after SIGKILL: %w", c.ID[:12], err)
		}
	}
	_ = s.cfg.Monitor.Delete(ctx, c.ID)
	_ = snapshot.Unmount(ctx, s.rootfs(c.ID))
	s.unmountShm(c.ID)
	if err := s.cfg.Snapshots.Remove(ctx, c.ID); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("remove writable layer of %s: %w", c.ID[:12], err)
	}
	if err := os.RemoveAll(s.bundle(c.ID)); err != nil {
		return fmt.Errorf("remove bundle of %s: %w", c.ID[:12], err)
	}
	err = s.cfg.DB.Update(ctx, func(tx *store.Tx) error { return tx.Delete(store.Containers, c.ID) })
	if err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("remove record of %s: %w", c.ID[:12], err)
	}
	s.mu.Lock()
	delete(s.byID, c.ID)
	if s.names[c.Name] == c.ID {
		delete(s.names, c.Name)
	}
	for id, x := range s.execs {
		if x.containerID == c.ID {
			delete(s.execs, id)
		}
	}
	e.removed = true
	close(e.changed)
	e.changed = make(chan struct{})
	s.mu.Unlock()
	s.failPending(e, fmt.Errorf("container %s was removed: %w", c.ID[:12], errdefs.ErrNotFound))
	if o.Volumes && s.cfg.Volumes != nil {
		for _, v := range c.Anonymous {
			if err := s.cfg.Volumes.Remove(ctx, v, false); err != nil && !errdefs.IsNotFound(err) {
				s.cfg.Logger.Warn("remove anonymous volume", "volume", v, "err", err)
			}
		}
	}
	s.emit(c, "destroy", nil)
	return nil
}

// Prune removes every stopped container the filter accepts.
func (s *Service) Prune(ctx context.Context, match func(Container) bool) (containertypes.PruneReport, error) {
	report := containertypes.PruneReport{ContainersDeleted: []string{}}
	for _, c := range s.records() {
		if c.State.running() || c.State.Status == containertypes.StateRestarting || (match != nil && !match(c)) {
			continue
		}
		size, _ := s.cfg.Snapshots.Usage(ctx, c.ID)
		if err := s.Remove(ctx, c.ID, RemoveOptions{}); err != nil {
			if errdefs.IsConflict(err) || errdefs.IsNotFound(err) {
				continue
			}
			return report, err
		}
		report.ContainersDeleted = append(report.ContainersDeleted, c.ID)
		report.SpaceReclaimed += uint64(size.Size)
	}
	return report, nil
}

// records returns a copy of every container's record.
func (s *Service) records() []Container {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Container, 0, len(s.byID))
	for _, e := range s.byID {
		out = append(out, e.c)
	}
	return out
}
