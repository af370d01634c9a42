package cgroups

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"
)

// Placement holds open handles that put a new process into a Manager's
// cgroups as it starts, instead of moving it there by pid afterwards.
//
// Why: writing a pid to cgroup.procs takes the kernel's global
// threadgroup lock for writing, whose first taker waits for an RCU grace
// period — 5 to 20 ms here, the largest single cost of a container start
// (and it holds cgroup_mutex meanwhile, stalling every other cgroup
// operation). Two ways avoid that lock altogether:
//   - cgroup v2: clone3 with CLONE_INTO_CGROUP and the cgroup's directory
//     fd (os/exec: SysProcAttr.UseCgroupFD/CgroupFD) creates the process
//     inside the cgroup;
//   - cgroup v1: a thread that writes "0" to a hierarchy's tasks file
//     moves only itself, which needs no global lock (Linux ≥ 5.19). A
//     process that does this while it is still single-threaded (berth's
//     nsenter constructor, before the Go runtime starts) takes every
//     later thread along.
type Placement struct {
	// Unified is the cgroup's directory in the cgroup v2 hierarchy (for
	// CLONE_INTO_CGROUP), or nil on a host without one.
	Unified *os.File
	// Tasks are the tasks files of the cgroup in each v1 hierarchy, opened
	// for writing, one per hierarchy (co-mounted controllers share one).
	Tasks []*os.File
}

// OpenPlacement opens the handles of a cgroup made by Create (or re-opened
// by Load, for the processes of an exec). The caller closes them.
func (m *Manager) OpenPlacement() (*Placement, error) {
	if !m.created && !m.loaded {
		return nil, fmt.Errorf("cgroup %s: placement before Create", m.path)
	}
	p := &Placement{}
	var seen []string
	for _, dir := range m.mgr.GetPaths() {
		if dir == "" || slices.Contains(seen, dir) {
			continue
		}
		seen = append(seen, dir)
		var sfs unix.Statfs_t
		if err := unix.Statfs(dir, &sfs); err != nil {
			p.Close()
			return nil, fmt.Errorf("cgroup %s: %w", dir, classify(err))
		}
		if sfs.Type == unix.CGROUP2_SUPER_MAGIC {
			f, err := openDir(dir)
			if err != nil {
				p.Close()
				return nil, err
			}
			p.Unified = f
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, "tasks"), unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("cgroup %s: %w", dir, classify(err))
		}
		p.Tasks = append(p.Tasks, f)
	}
	return p, nil
}

// CreateUnified creates, ahead of the rest, the cgroup's directory in the
// cgroup v2 hierarchy and opens it (for CLONE_INTO_CGROUP), so that the
// container's init can be born there while Create sets up the v1
// hierarchies in parallel; on a pure v2 host it is the whole of Create. It
// returns nil on a host without a v2 hierarchy. Create must follow.
func (m *Manager) CreateUnified() (*os.File, error) {
	if m.unified {
		if err := m.Create(); err != nil {
			return nil, err
		}
		return openDir(m.mgr.Path(""))
	}
	dir := m.mgr.GetPaths()[""]
	if dir == "" {
		return nil, nil
	}
	if err := m.checkFree(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cgroup %s: create: %w", m.path, err)
	}
	return openDir(dir)
}

func openDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("cgroup %s: %w", dir, classify(err))
	}
	return f, nil
}

// JoinUnified moves pid into the v2 cgroup whose directory is dir the slow
// way (cgroup.procs), for kernels without CLONE_INTO_CGROUP (before 5.7).
func JoinUnified(dir *os.File, pid int) error {
	fd, err := unix.Openat(int(dir.Fd()), "cgroup.procs", unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("cgroup %s: %w", dir.Name(), err)
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, []byte(strconv.Itoa(pid))); err != nil {
		return fmt.Errorf("cgroup %s: add pid %d: %w", dir.Name(), pid, err)
	}
	return nil
}

// Close closes every handle; the cgroups stay.
func (p *Placement) Close() {
	if p == nil {
		return
	}
	if p.Unified != nil {
		p.Unified.Close()
	}
	for _, f := range p.Tasks {
		f.Close()
	}
}
