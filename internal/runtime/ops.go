package runtime

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Pause freezes every process of a running container.
func (r *Runtime) Pause(ctx context.Context, id string) error {
	st, err := r.load(id)
	if err != nil {
		return err
	}
	if s := r.status(st); s != specs.StateRunning {
		return fmt.Errorf("container %q is %s, not running: %w", id, s, errdefs.ErrFailedPrecondition)
	}
	if err := loadCgroup(st.Cgroup).freeze(); err != nil {
		return fmt.Errorf("pause %q: %w", id, err)
	}
	st.Paused = true
	return r.save(st)
}

// Resume thaws a paused container.
func (r *Runtime) Resume(ctx context.Context, id string) error {
	st, err := r.load(id)
	if err != nil {
		return err
	}
	if s := r.status(st); s != statePaused {
		return fmt.Errorf("container %q is %s, not paused: %w", id, s, errdefs.ErrFailedPrecondition)
	}
	if err := loadCgroup(st.Cgroup).thaw(); err != nil {
		return fmt.Errorf("resume %q: %w", id, err)
	}
	st.Paused = false
	return r.save(st)
}

// Update changes the resource limits of a container.
func (r *Runtime) Update(ctx context.Context, id string, res *specs.LinuxResources) error {
	st, err := r.load(id)
	if err != nil {
		return err
	}
	if err := loadCgroup(st.Cgroup).set(res); err != nil {
		return fmt.Errorf("update %q: %w", id, err)
	}
	return nil
}

// Ps lists the host pids of the container's processes: its cgroup's, or
// without cgroup support every process in the init's pid namespace.
func (r *Runtime) Ps(ctx context.Context, id string) ([]int, error) {
	st, err := r.load(id)
	if err != nil {
		return nil, err
	}
	if !st.alive() {
		return nil, nil
	}
	if pids, err := loadCgroup(st.Cgroup).pids(); err == nil && len(pids) > 0 {
		return pids, nil
	}
	return pidsInNamespace(st.Pid)
}

func pidsInNamespace(initPid int) ([]int, error) {
	want, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", initPid))
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ns, err := os.Readlink("/proc/" + e.Name() + "/ns/pid"); err == nil && ns == want {
			out = append(out, pid)
		}
	}
	return out, nil
}

// Process returns a copy of the container's configured process, the base
// of an exec without --process.
func (r *Runtime) Process(id string) (*specs.Process, error) {
	st, err := r.load(id)
	if err != nil {
		return nil, err
	}
	p := *st.Config.Process
	p.Env = append([]string{}, p.Env...)
	if c := p.Capabilities; c != nil {
		cc := *c
		p.Capabilities = &cc
	}
	return &p, nil
}
