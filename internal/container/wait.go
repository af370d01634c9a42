package container

import (
	"context"
	"fmt"

	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
)

// Wait blocks until the container meets condition (not-running, the
// default; next-exit; removed) and returns its exit code and, for a run
// that failed to start, the reason.
func (s *Service) Wait(ctx context.Context, ref string, condition containertypes.WaitCondition) (containertypes.WaitResponse, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return containertypes.WaitResponse{}, err
	}
	switch condition {
	case "", containertypes.WaitConditionNotRunning, containertypes.WaitConditionNextExit, containertypes.WaitConditionRemoved:
	default:
		return containertypes.WaitResponse{}, fmt.Errorf("invalid condition: %q: %w", condition, errdefs.ErrInvalidArgument)
	}
	s.mu.Lock()
	exits0 := e.exits
	s.mu.Unlock()
	for {
		s.mu.Lock()
		st, exits, removed, ch := e.c.State, e.exits, e.removed, e.changed
		s.mu.Unlock()
		done := false
		switch condition {
		case containertypes.WaitConditionNextExit:
			done = exits > exits0 || removed
		case containertypes.WaitConditionRemoved:
			done = removed
		default:
			done = !st.running() && st.Status != containertypes.StateRestarting
		}
		if done {
			resp := containertypes.WaitResponse{StatusCode: int64(st.ExitCode)}
			if st.Error != "" {
				resp.Error = &containertypes.WaitExitError{Message: st.Error}
			}
			return resp, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return containertypes.WaitResponse{}, ctx.Err()
		}
	}
}
