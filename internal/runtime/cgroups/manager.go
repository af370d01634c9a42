// Package cgroups places a container's processes in cgroups and applies the
// OCI spec's linux.resources to them, on cgroup v1, v2 and hybrid hosts.
//
// Lifecycle: New prepares a Manager for a cgroupsPath without touching the
// filesystem; Apply creates the cgroup(s), applies the resources and moves
// the container's init into them — or, faster, Create does the first two
// and OpenPlacement gives the handles with which the init is born in them
// (see placement.go); State is saved in the runtime's state and
// Load re-opens the Manager for later commands (Set for update, Freeze/Thaw
// for pause/resume, Pids for ps and kill --all, OOMKillCount for events);
// Destroy removes the cgroup(s) once every process in them is gone.
//
// The work is done by github.com/opencontainers/cgroups (its fs manager for
// v1 and hybrid hosts, fs2 for the unified hierarchy); this package owns the
// conversion from the spec and the berth-facing contract.
package cgroups

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/containerd/errdefs"
	cg "github.com/opencontainers/cgroups"
	// Registers the v1 devices.allow/deny writer and the v2 eBPF device
	// filter; without it the managers refuse every device rule.
	_ "github.com/opencontainers/cgroups/devices"
	"github.com/opencontainers/cgroups/fs"
	"github.com/opencontainers/cgroups/fs2"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Manager controls the cgroup(s) of one container. It is not safe for
// concurrent use.
type Manager struct {
	path    string        // cgroupsPath as given by the spec
	unified bool          // pure cgroup v2 host
	res     *cg.Resources // resources as last applied
	mgr     cg.Manager
	loaded  bool // re-opened with Load: the cgroup belongs to a running container
	created bool // made by Create: Apply only adds the pid
}

// savedState is what State returns; Version guards against a host whose
// cgroup mode changed between create and a later command (a reboot).
type savedState struct {
	Unified   bool              `json:"unified"`
	Path      string            `json:"path"`
	Paths     map[string]string `json:"paths"`
	Resources *cg.Resources     `json:"resources"`
}

// New prepares, without creating it, the cgroup for cgroupsPath with the
// spec's resources. An absolute cgroupsPath ("/berth/<id>") is taken from
// each controller's mount root; a relative one is placed under the cgroup
// of the calling process, as runc does.
func New(cgroupsPath string, resources *specs.LinuxResources) (*Manager, error) {
	if err := validatePath(cgroupsPath); err != nil {
		return nil, err
	}
	res, err := toResources(resources)
	if err != nil {
		return nil, fmt.Errorf("cgroup %s: %w", cgroupsPath, err)
	}
	unified := cg.IsCgroup2UnifiedMode()
	if !unified && len(res.Unified) > 0 {
		return nil, fmt.Errorf("cgroup %s: linux.resources.unified needs a cgroup v2 host (this one uses v1 controllers): %w", cgroupsPath, errdefs.ErrInvalidArgument)
	}
	m := &Manager{path: cgroupsPath, unified: unified, res: res}
	if err := m.open(nil); err != nil {
		return nil, err
	}
	return m, nil
}

// validatePath rejects paths the fs managers would silently rewrite: the
// library cleans "../" away, which would put the container somewhere other
// than where the caller looks for it later.
func validatePath(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("cgroupsPath is empty: %w", errdefs.ErrInvalidArgument)
	case strings.Contains(p, ":") && !strings.HasPrefix(p, "/"):
		return fmt.Errorf("cgroupsPath %q: systemd slice:prefix:name paths are not supported (use a path): %w", p, errdefs.ErrInvalidArgument)
	case filepath.Clean(p) != p || p == "/" || slices.Contains(strings.Split(p, "/"), ".."):
		return fmt.Errorf("cgroupsPath %q: must be a clean path below the root, without ..: %w", p, errdefs.ErrInvalidArgument)
	}
	return nil
}

// open builds the library manager; paths is nil for a new cgroup.
func (m *Manager) open(paths map[string]string) error {
	config := &cg.Cgroup{Path: m.path, Resources: m.res}
	var err error
	if m.unified {
		var dir string
		if paths != nil {
			dir = paths[""]
		}
		m.mgr, err = fs2.NewManager(config, dir)
	} else {
		m.mgr, err = fs.NewManager(config, paths)
	}
	if err != nil {
		return fmt.Errorf("cgroup %s: %w", m.path, err)
	}
	return nil
}

// Load re-opens a Manager from what State returned.
func Load(state json.RawMessage) (*Manager, error) {
	var s savedState
	if err := json.Unmarshal(state, &s); err != nil {
		return nil, fmt.Errorf("cgroup state: %w: %w", err, errdefs.ErrInvalidArgument)
	}
	if s.Path == "" || len(s.Paths) == 0 {
		return nil, fmt.Errorf("cgroup state has no paths: %w", errdefs.ErrInvalidArgument)
	}
	if s.Unified != cg.IsCgroup2UnifiedMode() {
		return nil, fmt.Errorf("cgroup %s was created on a host with another cgroup mode (unified=%v): %w", s.Path, s.Unified, errdefs.ErrFailedPrecondition)
	}
	if s.Resources == nil {
		s.Resources = &cg.Resources{}
	}
	m := &Manager{path: s.Path, unified: s.Unified, res: s.Resources, loaded: true}
	if err := m.open(s.Paths); err != nil {
		return nil, err
	}
	return m, nil
}

// State returns what the runtime saves to re-open the Manager with Load.
func (m *Manager) State() (json.RawMessage, error) {
	b, err := json.Marshal(savedState{Unified: m.unified, Path: m.path, Paths: m.mgr.GetPaths(), Resources: m.res})
	if err != nil {
		return nil, fmt.Errorf("cgroup %s: encode state: %w", m.path, err)
	}
	return b, nil
}

// Paths returns the cgroup directory of each controller (key "" is the
// unified hierarchy), e.g. for mounting the container's /sys/fs/cgroup.
func (m *Manager) Paths() map[string]string {
	return m.mgr.GetPaths()
}

// Path returns the cgroupsPath the Manager was made for.
func (m *Manager) Path() string { return m.path }

// Apply creates the cgroup(s), applies the resources given to New and
// moves pid into them. The limits are written before pid joins so that a
// rejected limit leaves no cgroup behind. If pid fails to join (the last
// step) it may remain in some controllers: the caller kills it and calls
// Destroy, as after any failed create. A cgroup that
// already holds processes belongs to another container: Apply refuses it.
// On a Manager from Load, Apply only adds pid (as Join does).
func (m *Manager) Apply(pid int) error {
	if pid <= 0 {
		return fmt.Errorf("cgroup %s: apply to pid %d: %w", m.path, pid, errdefs.ErrInvalidArgument)
	}
	if m.loaded || m.created {
		return m.Join(pid)
	}
	if err := m.Create(); err != nil {
		return err
	}
	if err := m.mgr.Apply(pid); err != nil {
		_ = m.mgr.Destroy() // removes the controllers pid did not join
		return fmt.Errorf("cgroup %s: add pid %d: %w", m.path, pid, err)
	}
	return nil
}

// Create creates the cgroup(s) and applies the resources given to New,
// without adding any process, so that a new process can be placed in them
// as it starts (see OpenPlacement) rather than moved there afterwards. A
// rejected limit leaves no cgroup behind. A cgroup that already holds
// processes belongs to another container: Create refuses it. Apply on a
// created Manager only adds the pid.
func (m *Manager) Create() error {
	if m.created {
		return nil
	}
	if err := m.checkFree(); err != nil {
		return err
	}
	if err := m.mgr.Apply(-1); err != nil {
		_ = m.mgr.Destroy()
		return fmt.Errorf("cgroup %s: create: %w", m.path, err)
	}
	if err := m.set(m.res); err != nil {
		_ = m.mgr.Destroy()
		return err
	}
	m.created = true
	return nil
}

// checkFree refuses a loaded Manager and a cgroup that already holds
// processes: it belongs to another container.
func (m *Manager) checkFree() error {
	if m.loaded {
		return fmt.Errorf("cgroup %s belongs to a running container: %w", m.path, errdefs.ErrAlreadyExists)
	}
	if m.mgr.Exists() {
		if pids, err := m.mgr.GetAllPids(); err == nil && len(pids) > 0 {
			return fmt.Errorf("cgroup %s already holds processes %v of another container: %w", m.path, pids, errdefs.ErrConflict)
		}
	}
	return nil
}

// Join adds pid to the existing cgroup(s), e.g. the process of an exec.
func (m *Manager) Join(pid int) error {
	if !m.mgr.Exists() {
		return fmt.Errorf("cgroup %s does not exist: %w", m.path, errdefs.ErrNotFound)
	}
	if err := m.mgr.AddPid("", pid); err != nil {
		return fmt.Errorf("cgroup %s: add pid %d: %w", m.path, pid, err)
	}
	return nil
}

// Set applies resources to the existing cgroup, as `update` does: fields
// that resources leaves unset keep their current value.
func (m *Manager) Set(resources *specs.LinuxResources) error {
	res, err := toResources(resources)
	if err != nil {
		return fmt.Errorf("cgroup %s: %w", m.path, err)
	}
	if !m.unified && len(res.Unified) > 0 {
		return fmt.Errorf("cgroup %s: linux.resources.unified needs a cgroup v2 host: %w", m.path, errdefs.ErrInvalidArgument)
	}
	var explicitDevices bool
	if resources != nil {
		explicitDevices = len(resources.Devices) > 0
	}
	merged := merge(m.res, res, explicitDevices)
	if err := m.set(merged); err != nil {
		return err
	}
	m.res = merged
	return nil
}

func (m *Manager) set(res *cg.Resources) error {
	if !m.mgr.Exists() {
		return fmt.Errorf("cgroup %s does not exist: %w", m.path, errdefs.ErrNotFound)
	}
	if err := m.checkControllers(res); err != nil {
		return err
	}
	libRes := res
	if m.hugetlbOnUnified(res) {
		if err := m.setUnifiedHugetlb(res.HugetlbLimit); err != nil {
			return fmt.Errorf("cgroup %s: %w", m.path, err)
		}
		withoutHugetlb := *res
		withoutHugetlb.HugetlbLimit = nil
		libRes = &withoutHugetlb
	}
	if err := m.mgr.Set(libRes); err != nil {
		return fmt.Errorf("cgroup %s: set resources: %w", m.path, err)
	}
	return nil
}

// Freeze stops every process in the cgroup (pause); it returns once the
// kernel reports the cgroup frozen.
func (m *Manager) Freeze() error {
	if err := m.mgr.Freeze(cg.Frozen); err != nil {
		return fmt.Errorf("cgroup %s: freeze: %w", m.path, err)
	}
	return nil
}

// Thaw resumes a frozen cgroup.
func (m *Manager) Thaw() error {
	if err := m.mgr.Freeze(cg.Thawed); err != nil {
		return fmt.Errorf("cgroup %s: thaw: %w", m.path, err)
	}
	return nil
}

// Frozen reports whether the cgroup is frozen.
func (m *Manager) Frozen() (bool, error) {
	st, err := m.mgr.GetFreezerState()
	if err != nil {
		return false, fmt.Errorf("cgroup %s: freezer state: %w", m.path, err)
	}
	return st == cg.Frozen, nil
}

// Pids returns every process in the cgroup and its sub-cgroups.
func (m *Manager) Pids() ([]int, error) {
	pids, err := m.mgr.GetAllPids()
	if err != nil {
		return nil, fmt.Errorf("cgroup %s: list processes: %w", m.path, classify(err))
	}
	return pids, nil
}

// OOMKillCount returns how many processes the kernel's OOM killer killed
// in the cgroup (v1 memory.oom_control, v2 memory.events).
func (m *Manager) OOMKillCount() (uint64, error) {
	n, err := m.mgr.OOMKillCount()
	if err != nil {
		return 0, fmt.Errorf("cgroup %s: oom kill count: %w", m.path, classify(err))
	}
	return n, nil
}

// Destroy removes the cgroup(s). It fails while processes remain (kill
// them first) and succeeds when the cgroup is already gone.
func (m *Manager) Destroy() error {
	if err := m.mgr.Destroy(); err != nil {
		return fmt.Errorf("cgroup %s: remove: %w", m.path, err)
	}
	return nil
}

func classify(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %w", err, errdefs.ErrNotFound)
	}
	return err
}
