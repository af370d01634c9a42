package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// State returns the spec's state of container id.
func (r *Runtime) State(ctx context.Context, id string) (*specs.State, error) {
	st, err := r.load(id)
	if err != nil {
		return nil, err
	}
	return r.specState(st), nil
}

// Start lets a created container exec its process, then runs the poststart
// hooks.
func (r *Runtime) Start(ctx context.Context, id string) error {
	st, err := r.load(id)
	if err != nil {
		return err
	}
	if s := r.status(st); s != specs.StateCreated {
		return fmt.Errorf("container %q is %s, not created: %w", id, s, errdefs.ErrFailedPrecondition)
	}
	fifoPath := filepath.Join(r.dir(id), fifoName)
	// Non-blocking open never hangs on a dead init; the read then waits
	// for the init's byte, or sees EOF if it died.
	fd, err := unix.Open(fifoPath, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open exec fifo: %w", err)
	}
	defer unix.Close(fd)
	if err := waitFifo(ctx, fd, st); err != nil {
		return err
	}
	if err := os.Remove(fifoPath); err != nil {
		return fmt.Errorf("remove exec fifo: %w", err)
	}
	if st.Config.Hooks != nil && len(st.Config.Hooks.Poststart) > 0 {
		if err := runHooks(ctx, "poststart", st.Config.Hooks.Poststart, r.specState(st)); err != nil {
			// The spec: a poststart failure is logged, the container keeps running.
			slog.WarnContext(ctx, "poststart hook failed", "id", id, "err", err)
		}
	}
	return nil
}

func waitFifo(ctx context.Context, fd int, st *containerState) error {
	buf := make([]byte, 1)
	for {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 100)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("wait for container init: %w", err)
		}
		if n > 0 {
			if m, _ := unix.Read(fd, buf); m == 1 {
				return nil
			}
		}
		if !st.alive() {
			return fmt.Errorf("container %q: init exited before start: %w", st.ID, errdefs.ErrFailedPrecondition)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// Kill sends sig to the container's init, or with all to every process of
// its cgroup.
func (r *Runtime) Kill(ctx context.Context, id string, sig syscall.Signal, all bool) error {
	st, err := r.load(id)
	if err != nil {
		return err
	}
	if all {
		pids, err := loadCgroup(st.Cgroup).pids()
		if err != nil {
			return err
		}
		for _, p := range pids {
			_ = unix.Kill(p, sig)
		}
		if len(pids) > 0 {
			return nil
		}
	}
	if !st.alive() {
		return fmt.Errorf("container %q is not running: %w", id, errdefs.ErrNotFound)
	}
	if err := unix.Kill(st.Pid, sig); err != nil {
		return fmt.Errorf("signal container %q: %w", id, err)
	}
	return nil
}

// Delete removes a stopped (or, with force, any) container: processes,
// cgroup, state; then runs the poststop hooks.
func (r *Runtime) Delete(ctx context.Context, id string, force bool) error {
	st, err := r.load(id)
	if err != nil {
		if force && errors.Is(err, errdefs.ErrNotFound) {
			return nil
		}
		return err
	}
	switch s := r.status(st); s {
	case specs.StateStopped, specs.StateCreated:
		// A created container has no user process yet: delete may kill it.
	default:
		if !force {
			return fmt.Errorf("container %q is %s; stop it first or use force: %w", id, s, errdefs.ErrFailedPrecondition)
		}
	}
	t0 := time.Now()
	cg := loadCgroup(st.Cgroup)
	if st.Paused {
		// A frozen process does not die of SIGKILL until thawed.
		_ = cg.thaw()
	}
	if st.alive() {
		_ = unix.Kill(st.Pid, unix.SIGKILL)
	}
	// Processes left in the cgroup (daemons of a container that shares
	// another's pid namespace) would keep it from being removed.
	if pids, _ := cg.pids(); len(pids) > 0 {
		for _, p := range pids {
			_ = unix.Kill(p, unix.SIGKILL)
		}
	}
	waitGone(ctx, st)
	cg.destroy()
	slog.DebugContext(ctx, "delete", "id", id, "phase", "cgroup destroyed", "elapsed", time.Since(t0))
	if err := os.RemoveAll(r.dir(id)); err != nil {
		return fmt.Errorf("remove state of %q: %w", id, err)
	}
	if st.Config.Hooks != nil && len(st.Config.Hooks.Poststop) > 0 {
		state := r.specState(st)
		state.Status = specs.StateStopped
		if err := runHooks(ctx, "poststop", st.Config.Hooks.Poststop, state); err != nil {
			slog.WarnContext(ctx, "poststop hook failed", "id", id, "err", err)
		}
	}
	return nil
}

// waitGone waits for the killed init to disappear; we may not be its
// parent, so poll /proc.
func sleepBrief() { time.Sleep(2 * time.Millisecond) }

func waitGone(ctx context.Context, st *containerState) {
	for i := 0; i < 500 && st.alive() && ctx.Err() == nil; i++ {
		sleepBrief()
	}
}

// List returns the state of every container under the root.
func (r *Runtime) List(ctx context.Context) ([]*specs.State, error) {
	entries, err := os.ReadDir(r.root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []*specs.State
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		st, err := r.load(e.Name())
		if err != nil {
			continue // being created or deleted
		}
		out = append(out, r.specState(st))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Created returns when container id was created (for list).
func (r *Runtime) Created(id string) (time.Time, error) {
	st, err := r.load(id)
	if err != nil {
		return time.Time{}, err
	}
	return st.Created, nil
}
