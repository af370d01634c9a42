package runtime

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/berthproject/berth/internal/runtime/cgroups"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// cgroup is the container's cgroup manager; a nil manager (a state saved
// without one) makes every method a no-op or a clear error.
type cgroup struct {
	m *cgroups.Manager
}

// newCgroup prepares the cgroup for a new container: the spec's
// cgroupsPath, or /berth-runc/<id> when the spec leaves it empty. The
// devices the runtime creates are allowed even under a deny-all rule.
func newCgroup(spec *specs.Spec, id string) (*cgroup, error) {
	path := spec.Linux.CgroupsPath
	if path == "" {
		path = "/berth-runc/" + id
	}
	res := spec.Linux.Resources
	if len(spec.Linux.Devices) > 0 {
		r := specs.LinuxResources{}
		if res != nil {
			r = *res
		}
		r.Devices = append(append([]specs.LinuxDeviceCgroup{}, r.Devices...), cgroups.DeviceRulesFor(spec.Linux.Devices)...)
		res = &r
	}
	m, err := cgroups.New(path, res)
	if err != nil {
		return nil, err
	}
	return &cgroup{m: m}, nil
}

func loadCgroup(state json.RawMessage) *cgroup {
	if len(state) == 0 {
		return &cgroup{}
	}
	m, err := cgroups.Load(state)
	if err != nil {
		slog.Warn("cannot re-open the container's cgroup", "err", err)
		return &cgroup{}
	}
	return &cgroup{m: m}
}

// create makes the cgroup(s) with their limits before the init exists and
// opens the handles with which it is born in them (see
// cgroups.Placement): no move of a running process, hence no wait for the
// kernel's RCU grace period.
func (c *cgroup) create() (*cgroups.Placement, error) {
	if err := c.m.Create(); err != nil {
		return nil, err
	}
	return c.m.OpenPlacement()
}

// placement opens the handles of an existing cgroup, for an exec.
func (c *cgroup) placement() (*cgroups.Placement, error) {
	if c.m == nil {
		return nil, nil
	}
	return c.m.OpenPlacement()
}

func (c *cgroup) state() json.RawMessage {
	if c.m == nil {
		return nil
	}
	s, err := c.m.State()
	if err != nil {
		return nil
	}
	return s
}

// destroy removes the cgroup; processes may take a moment to leave it
// after SIGKILL, so it retries briefly.
func (c *cgroup) destroy() {
	if c.m == nil {
		return
	}
	var err error
	for i := 0; i < 100; i++ {
		if err = c.m.Destroy(); err == nil {
			return
		}
		sleepBrief()
	}
	slog.Warn("cannot remove cgroup", "err", err)
}

func (c *cgroup) pids() ([]int, error) {
	if c.m == nil {
		return nil, nil
	}
	return c.m.Pids()
}

var errNoCgroup = fmt.Errorf("the container has no cgroup: %w", errdefs.ErrNotImplemented)

func (c *cgroup) freeze() error {
	if c.m == nil {
		return errNoCgroup
	}
	return c.m.Freeze()
}

func (c *cgroup) thaw() error {
	if c.m == nil {
		return errNoCgroup
	}
	return c.m.Thaw()
}

func (c *cgroup) set(r *specs.LinuxResources) error {
	if c.m == nil {
		return errNoCgroup
	}
	return c.m.Set(r)
}
