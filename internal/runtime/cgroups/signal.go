package cgroups

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	cg "github.com/opencontainers/cgroups"
	"golang.org/x/sys/unix"
)

// Signal sends sig to every process in the cgroup (kill --all, delete
// --force). The cgroup is frozen while the list is read and signalled, so
// a process that forks cannot leave an unsignalled child behind. After
// SIGKILL the cgroup is left thawed, since frozen v1 tasks cannot die;
// other signals leave a paused container paused (delivered on resume).
func (m *Manager) Signal(sig syscall.Signal) error {
	if sig == unix.SIGKILL && m.unified {
		// cgroup.kill (Linux 5.14) kills the whole subtree atomically.
		err := cg.WriteFile(m.mgr.Path(""), "cgroup.kill", "1")
		if err == nil {
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("cgroup %s: kill: %w", m.path, err)
		}
	}
	wasFrozen, err := m.Frozen()
	if err != nil {
		return err
	}
	if !wasFrozen {
		if err := m.Freeze(); err != nil {
			return err
		}
	}
	pids, listErr := m.mgr.GetAllPids()
	var errs []error
	if listErr != nil {
		errs = append(errs, fmt.Errorf("cgroup %s: list processes: %w", m.path, listErr))
	}
	for _, pid := range pids {
		if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
			errs = append(errs, fmt.Errorf("cgroup %s: signal %d: %w", m.path, pid, err))
		}
	}
	if !wasFrozen || sig == unix.SIGKILL {
		if err := m.Thaw(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
