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
	delete(s.execs, id)
	if c, ok := s.containers[p.cid]; ok {
		delete(c.execs, id)
	}
	s.mu.Unlock()
	p.out.dropKept()
	if err := os.Remove(s.exitPath(p.cid, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove exit record of exec %q: %w", id, err)
	}
	return nil
}
