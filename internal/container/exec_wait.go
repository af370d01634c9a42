package container

import (
	"time"

	"github.com/containerd/errdefs"
)

// execExitCode waits for the exec execID to end and returns its exit
// code, then has the monitor forget it: its status is the daemon's now.
// A monitor that went away (a crash) is started again by the next call
// and reloads the exit records it had written, so the wait is retried
// before the code is given up as 255 (the exec was running when the
// monitor died, or the monitor stays unreachable). ok is false when the
// service is closing.
func (s *Service) execExitCode(execID string) (code int, ok bool) {
	for attempt := 0; ; attempt++ {
		st, err := s.cfg.Monitor.Wait(s.bg, execID)
		if s.bg.Err() != nil {
			return 0, false
		}
		if err == nil {
			if err := s.cfg.Monitor.DeleteExec(s.bg, execID); err != nil {
				s.cfg.Logger.Warn("forget exec", "exec", execID, "err", err)
			}
			return st.ExitCode, true
		}
		if errdefs.IsNotFound(err) || attempt >= 5 {
			s.cfg.Logger.Warn("exec exit code lost", "exec", execID, "err", err)
			return 255, true
		}
		select {
		case <-s.bg.Done():
			return 0, false
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
}
