package container

// Exec instances live in the daemon's memory only, as Docker's do (dockerd
// does not keep them across its own restart either). One belongs to a run
// of its container: it can be inspected while that run lasts and after
// it ends, and is forgotten once the container starts again or is
// removed. Docker forgets them when the container exits; berth keeps a
// stopped container's last execs until its next start, so that a client
// attached to an exec that the stop ended still reads its exit code.
//
// The monitor's records of execs are shorter-lived: the daemon forgets
// each one once it has read its exit code (DeleteExec), the monitor
// drops a container's records when the container exits (Delete), and the
// records a killed daemon left are forgotten when the next one connects
// (shim.Launch).

// execCurrentLocked reports whether x belongs to the current run of a
// container that still exists; the caller holds s.mu.
func (s *Service) execCurrentLocked(x *execEntry) bool {
	e, ok := s.byID[x.containerID]
	return ok && !e.removed && e.c.State.StartedAt.Equal(x.run)
}

// sweepExecsLocked forgets the finished exec instances of runs that are
// over; one still running is forgotten by the first sweep after it ends.
// The caller holds s.mu.
func (s *Service) sweepExecsLocked() {
	for id, x := range s.execs {
		if x.exitCode != nil && !s.execCurrentLocked(x) {
			delete(s.execs, id)
		}
	}
}
