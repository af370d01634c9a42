package runtime

import (
	"context"
	"fmt"
	"time"

	"github.com/containerd/errdefs"
	cg "github.com/opencontainers/cgroups"
)

// Event is one line of `berth-runc events`, in runc's envelope.
type Event struct {
	Type string `json:"type"` // "stats" or "oom"
	ID   string `json:"id"`
	Data any    `json:"data,omitempty"`
}

// Stats returns the usage counters of container id's cgroup.
func (r *Runtime) Stats(ctx context.Context, id string) (*cg.Stats, error) {
	st, err := r.load(id)
	if err != nil {
		return nil, err
	}
	c := loadCgroup(st.Cgroup)
	if c.m == nil {
		return nil, errNoCgroup
	}
	return c.m.Stats()
}

// OOMKills returns how many processes of container id the kernel's OOM
// killer has killed.
func (r *Runtime) OOMKills(ctx context.Context, id string) (uint64, error) {
	st, err := r.load(id)
	if err != nil {
		return 0, err
	}
	c := loadCgroup(st.Cgroup)
	if c.m == nil {
		return 0, errNoCgroup
	}
	return c.m.OOMKillCount()
}

// Events calls emit with a stats event every interval and an oom event for
// every new OOM kill, until the container stops or ctx ends.
func (r *Runtime) Events(ctx context.Context, id string, interval time.Duration, emit func(Event) error) error {
	if interval <= 0 {
		return fmt.Errorf("events interval must be positive: %w", errdefs.ErrInvalidArgument)
	}
	seen, err := r.OOMKills(ctx, id)
	if err != nil {
		return err
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		st, err := r.load(id)
		if err != nil || !st.alive() {
			return err
		}
		if n, err := r.OOMKills(ctx, id); err == nil && n > seen {
			for ; seen < n; seen++ {
				if err := emit(Event{Type: "oom", ID: id}); err != nil {
					return err
				}
			}
		}
		stats, err := r.Stats(ctx, id)
		if err == nil {
			if err := emit(Event{Type: "stats", ID: id, Data: stats}); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
