package container

import (
	"context"
	"time"

	"github.com/berthproject/berth/internal/logfile"
)

// LogsOptions are GET /containers/{id}/logs'.
type LogsOptions = logfile.ReadOptions

// followGrace lets a follower read the last lines written before the
// container exited (the reader polls every 100 ms) before it is ended.
const followGrace = 300 * time.Millisecond

// Logs returns a container's log records and whether it has a tty (then
// the API sends them raw rather than multiplexed). With Follow the
// channel stays open while the container runs, and closes once it has
// stopped and its last lines are read.
func (s *Service) Logs(ctx context.Context, ref string, o LogsOptions) (<-chan logfile.Message, bool, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return nil, false, err
	}
	c := s.record(e)
	cfg, err := s.logConfig(&c)
	if err != nil {
		return nil, false, err
	}
	if !o.Follow {
		msgs, err := logfile.Read(ctx, cfg, o)
		return msgs, c.Config.Tty, err
	}
	rctx, cancel := context.WithCancel(ctx)
	msgs, err := logfile.Read(rctx, cfg, o)
	if err != nil {
		cancel()
		return nil, false, err
	}
	go func() {
		defer cancel()
		if s.waitStopped(rctx, e, 0) != nil {
			return
		}
		select {
		case <-time.After(followGrace):
		case <-rctx.Done():
		}
	}()
	return msgs, c.Config.Tty, nil
}
