package container

import (
	"context"
	"encoding/binary"
	"io"
	"syscall"
	"time"

	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
)

// Docker's health check defaults and limits.
const (
	healthDefaultInterval = 30 * time.Second
	healthDefaultTimeout  = 30 * time.Second
	healthDefaultRetries  = 3
	healthLogEntries      = 5
	healthMaxOutput       = 4096
)

// probeArgs is the command of a HEALTHCHECK test: CMD args run as they
// are, CMD-SHELL through /bin/sh -c; NONE (or nothing) disables it.
func probeArgs(test []string) []string {
	if len(test) == 0 {
		return nil
	}
	switch test[0] {
	case "CMD":
		return test[1:]
	case "CMD-SHELL":
		if len(test) > 1 {
			return []string{"/bin/sh", "-c", test[1]}
		}
	}
	return nil
}

// startHealth runs the container's health checks while the run that
// started at startedAt lasts.
func (s *Service) startHealth(e *entry, c Container) {
	hc := c.Config.Healthcheck
	if hc == nil || probeArgs(hc.Test) == nil {
		return
	}
	interval, timeout, retries := hc.Interval, hc.Timeout, hc.Retries
	if interval == 0 {
		interval = healthDefaultInterval
	}
	if timeout == 0 {
		timeout = healthDefaultTimeout
	}
	if retries == 0 {
		retries = healthDefaultRetries
	}
	started := time.Now()
	ctx, cancel := context.WithCancel(s.bg)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(interval):
			}
			s.mu.Lock()
			st, removed := e.c.State, e.removed
			s.mu.Unlock()
			if removed || !st.running() || !st.StartedAt.Equal(c.State.StartedAt) {
				return // this run is over; a new run has a loop of its own
			}
			if st.Status == containertypes.StatePaused {
				continue
			}
			res := s.probe(ctx, c.ID, probeArgs(hc.Test), timeout)
			inStartPeriod := time.Since(started) < hc.StartPeriod
			_ = s.update(ctx, e, func(c *Container) {
				h := c.State.Health
				if h == nil {
					h = &containertypes.Health{Status: containertypes.Starting}
					c.State.Health = h
				}
				h.Log = append(h.Log, res)
				if len(h.Log) > healthLogEntries {
					h.Log = h.Log[len(h.Log)-healthLogEntries:]
				}
				switch {
				case res.ExitCode == 0:
					h.Status, h.FailingStreak = containertypes.Healthy, 0
				case inStartPeriod:
					// Failures in the start period do not count.
				default:
					h.FailingStreak++
					if h.FailingStreak >= retries {
						h.Status = containertypes.Unhealthy
					}
				}
			})
			s.emit(c, "health_status: "+string(s.healthStatus(e)), nil)
		}
	}()
}

func (s *Service) healthStatus(e *entry) containertypes.HealthStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.c.State.Health == nil {
		return containertypes.NoHealthcheck
	}
	return e.c.State.Health.Status
}

// probe runs one health check command as an exec through the monitor.
func (s *Service) probe(ctx context.Context, id string, args []string, timeout time.Duration) *containertypes.HealthcheckResult {
	res := &containertypes.HealthcheckResult{Start: time.Now().UTC(), ExitCode: -1}
	defer func() { res.End = time.Now().UTC() }()
	c, err := s.Get(ctx, id)
	if err != nil {
		res.Output = err.Error()
		return res
	}
	proc, err := s.execProcess(&c, containertypes.ExecCreateRequest{Cmd: args})
	if err != nil {
		res.Output = err.Error()
		return res
	}
	execID := "health-" + newID()[:24]
	if _, err := s.cfg.Monitor.Exec(ctx, id, MonitorExec{ExecID: execID, Process: proc}); err != nil {
		res.Output = err.Error()
		return res
	}
	// One probe, one exec: forgotten at once, or a container checked every
	// second would grow the monitor's records without end.
	defer s.forgetProbe(execID)
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if conn, err := s.cfg.Monitor.Attach(pctx, execID, false, true, true); err == nil {
		// A probe that outlives its timeout keeps its output open: the
		// read must end with the timeout, not with the probe.
		stop := context.AfterFunc(pctx, func() { conn.Close() })
		res.Output = readFrames(conn, healthMaxOutput)
		stop()
		conn.Close()
	}
	st, err := s.cfg.Monitor.Wait(pctx, execID)
	if err != nil {
		res.Output = "Health check exceeded timeout (" + timeout.String() + ")"
		return res
	}
	res.ExitCode = st.ExitCode
	return res
}

// readFrames collects the payload of a multiplexed stream, up to max bytes.
func readFrames(r io.Reader, max int) string {
	var out []byte
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			break
		}
		n := int(binary.BigEndian.Uint32(hdr[4:]))
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			break
		}
		if len(out) < max {
			out = append(out, buf[:min(n, max-len(out))]...)
		}
	}
	return string(out)
}

// forgetProbe ends a health probe's exec (it outlived its timeout, say)
// and has the monitor forget it.
func (s *Service) forgetProbe(execID string) {
	ctx, cancel := context.WithTimeout(s.bg, 10*time.Second)
	defer cancel()
	// Refused (failed precondition) when it has exited already, the usual case.
	if err := s.cfg.Monitor.Kill(ctx, execID, syscall.SIGKILL, false); err == nil {
		_, _ = s.cfg.Monitor.Wait(ctx, execID)
	}
	if err := s.cfg.Monitor.DeleteExec(ctx, execID); err != nil && !errdefs.IsNotFound(err) {
		s.cfg.Logger.Warn("forget health probe", "exec", execID, "err", err)
	}
}
