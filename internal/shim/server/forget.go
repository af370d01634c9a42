package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/containerd/errdefs"
)

// deleteExec forgets a finished exec: its process and its exit record.
// Without it a container's execs (a health check makes one per probe)
// pile up in memory and on disk until the container is deleted.
func (s *Server) deleteExec(id string) error {
	s.mu.Lock()
	p, ok := s.execs[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("exec %q: %w", id, errdefs.ErrNotFound)
	}
	if !p.hasExited() {
		s.mu.Unlock()
		return fmt.Errorf("exec %q is still running: %w", id, errdefs.ErrFailedPrecondition)
	}
	s.dropExecLocked(p)
	s.mu.Unlock()
	return s.removeExecRecord(p)
}

// forgetExecs forgets every exec whose ID is not in keep, and returns how
// many: an exited one at once (its process and exit record), a running
// one the moment it exits (no exit record is written for it; its exit
// event is still sent). A daemon that starts knows none of the execs an
// earlier daemon left: nobody can ask for their status any more, and
// without this they would stay until their container is deleted.
func (s *Server) forgetExecs(keep []string) (int, error) {
	spare := make(map[string]bool, len(keep))
	for _, id := range keep {
		spare[id] = true
	}
	var exited []*process
	s.mu.Lock()
	n := 0
	for id, p := range s.execs {
		if spare[id] || p.forget {
			continue
		}
		n++
		if p.hasExited() {
			s.dropExecLocked(p)
			exited = append(exited, p)
			continue
		}
		// exited() looks at the mark after it closes p.exited, so a
		// process that exits right now is dropped there.
		p.forget = true
	}
	s.mu.Unlock()
	var errs []error
	for _, p := range exited {
		errs = append(errs, s.removeExecRecord(p))
	}
	if n > 0 {
		s.log.Info("forgot execs", "count", n, "running", n-len(exited))
	}
	return n, errors.Join(errs...)
}

// dropExecLocked removes p from the shim's maps; the caller holds s.mu.
func (s *Server) dropExecLocked(p *process) {
	delete(s.execs, p.execID)
	if c, ok := s.containers[p.cid]; ok {
		delete(c.execs, p.execID)
	}
}

// removeExecRecord drops p's kept output and its exit record on disk.
func (s *Server) removeExecRecord(p *process) error {
	p.out.dropKept()
	if err := os.Remove(s.exitPath(p.cid, p.execID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove exit record of exec %q: %w", p.execID, err)
	}
	return nil
}
