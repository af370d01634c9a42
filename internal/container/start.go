package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/oci"
	"github.com/berthproject/berth/internal/snapshot"
	"github.com/containerd/errdefs"
	securejoin "github.com/cyphar/filepath-securejoin"
	containertypes "github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Start runs a created or exited container. Starting a running one is a
// no-op, as Docker's 304.
func (s *Service) Start(ctx context.Context, ref string) error {
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	e.op.Lock()
	err = s.startLocked(ctx, e, false)
	e.op.Unlock()
	if err != nil {
		s.failPending(e, err)
		// As Docker: a --rm container that cannot start is removed.
		if c := s.record(e); c.HostConfig.AutoRemove && !c.State.running() {
			if rerr := s.Remove(ctx, c.ID, RemoveOptions{Force: true, Volumes: true}); rerr != nil {
				s.cfg.Logger.Warn("auto-remove after failed start", "id", c.ID, "err", rerr)
			}
		}
	}
	return err
}

// startLocked runs the container of e; the caller holds e.op.
func (s *Service) startLocked(ctx context.Context, e *entry, restart bool) (err error) {
	c := s.record(e)
	if e.removed {
		return fmt.Errorf("container %s is being removed: %w", c.ID[:12], errdefs.ErrConflict)
	}
	if c.State.Status == containertypes.StatePaused {
		return fmt.Errorf("cannot start a paused container, try unpause instead: %w", errdefs.ErrConflict)
	}
	if c.State.running() {
		return nil
	}
	if !restart {
		s.cancelRestart(e)
	}
	ctx = context.WithoutCancel(ctx)
	bundle, rootfs := s.bundle(c.ID), s.rootfs(c.ID)
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		return fmt.Errorf("create bundle: %w", err)
	}
	mounts, err := s.cfg.Snapshots.Mounts(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("writable layer of %s: %w", c.ID[:12], err)
	}
	_ = snapshot.Unmount(ctx, rootfs) // a mount left by a crash
	if err := snapshot.MountAll(ctx, mounts, rootfs); err != nil {
		return fmt.Errorf("mount rootfs: %w", err)
	}
	defer func() {
		if err != nil {
			_ = snapshot.Unmount(ctx, rootfs)
		}
	}()
	fail := func(code int, err error) error {
		_ = s.update(ctx, e, func(c *Container) {
			// As Docker: a container that never ran stays "created".
			if c.State.Status != containertypes.StateCreated {
				c.State.Status = containertypes.StateExited
			}
			c.State.ExitCode, c.State.Error = code, err.Error()
			c.State.FinishedAt = time.Now().UTC()
		})
		s.emit(c, "die", map[string]string{"exitCode": fmt.Sprint(code)})
		return err
	}
	if err := s.copyUpVolumes(ctx, &c); err != nil {
		return fail(125, err)
	}
	if err := s.writeEtcFiles(&c); err != nil {
		return fail(125, err)
	}
	if err := s.mountShm(&c); err != nil {
		return fail(125, err)
	}
	spec, err := s.generateSpec(ctx, &c)
	if err != nil {
		return fail(125, err)
	}
	if err := oci.CreateWorkdir(rootfs, spec); err != nil {
		return fail(125, err)
	}
	if err := writeJSONFile(filepath.Join(bundle, "config.json"), spec); err != nil {
		return fail(125, err)
	}
	lc, err := s.logConfig(&c)
	if err != nil {
		return fail(125, err)
	}
	_ = s.cfg.Monitor.Delete(ctx, c.ID) // what a previous run left
	pid, err := s.cfg.Monitor.Create(ctx, MonitorCreate{
		ID: c.ID, Bundle: bundle, OpenStdin: c.Config.OpenStdin, StdinOnce: c.Config.StdinOnce,
		Log: LogConfig{Driver: lc.Driver, Path: lc.Path, MaxSize: lc.MaxSize, MaxFiles: lc.MaxFiles},
	})
	if err != nil {
		code, err := classifyStartError(rootfs, spec.Process, err)
		return fail(code, err)
	}
	if err := s.attachNetwork(ctx, &c, pid); err != nil {
		_ = s.cfg.Monitor.Kill(ctx, c.ID, 9, true)
		_, _ = s.cfg.Monitor.Wait(ctx, c.ID)
		_ = s.cfg.Monitor.Delete(ctx, c.ID)
		s.detachNetwork(ctx, c.ID)
		return fail(125, err)
	}
	s.connectPending(ctx, e, c.ID)
	if err := s.cfg.Monitor.Start(ctx, c.ID); err != nil {
		_ = s.cfg.Monitor.Kill(ctx, c.ID, 9, true)
		_, _ = s.cfg.Monitor.Wait(ctx, c.ID)
		_ = s.cfg.Monitor.Delete(ctx, c.ID)
		s.detachNetwork(ctx, c.ID)
		code, err := classifyStartError(rootfs, spec.Process, err)
		return fail(code, err)
	}
	now := time.Now().UTC()
	err = s.update(ctx, e, func(c *Container) {
		c.State = State{Status: containertypes.StateRunning, Pid: pid, StartedAt: now, Health: c.State.Health}
		if c.Config.Healthcheck != nil && len(c.Config.Healthcheck.Test) > 0 && c.Config.Healthcheck.Test[0] != "NONE" {
			c.State.Health = &containertypes.Health{Status: containertypes.Starting}
		}
		if restart {
			c.RestartCount++
		} else {
			c.ManuallyStopped = false
		}
	})
	s.emit(c, "start", nil)
	s.watch(e, c.ID, now)
	c.State.StartedAt = now
	s.startHealth(e, c)
	return err
}

// copyUpVolumes fills empty volumes with the image's content at their
// mount points, before anything is mounted over them.
func (s *Service) copyUpVolumes(ctx context.Context, c *Container) error {
	for _, mp := range c.Mounts {
		if mp.Type != mount.TypeVolume || mp.Mode == "nocopy" || s.cfg.Volumes == nil {
			continue
		}
		src, err := securejoin.SecureJoin(s.rootfs(c.ID), mp.Destination)
		if err != nil {
			continue
		}
		if err := s.cfg.Volumes.CopyUp(ctx, mp.Name, src); err != nil {
			return err
		}
	}
	return nil
}

// classifyStartError gives a failed start Docker's exit code and words:
// 127 for a command that is not there, 126 for one that cannot be run,
// 125 for anything else. The docker CLI reads the words. The command is
// looked up in the rootfs (mounts aside), so the class does not depend on
// how the monitor's error crossed its socket.
func classifyStartError(rootfs string, proc *specs.Process, err error) (int, error) {
	name := argv0(proc.Args)
	switch lookCommand(rootfs, name, proc.Env) {
	case errNoCommand:
		return 127, fmt.Errorf("failed to create task for container: exec: %q: executable file not found in $PATH: %w", name, errdefs.ErrInvalidArgument)
	case errNotExecutable:
		return 126, fmt.Errorf("failed to create task for container: exec: %q: permission denied: %w", name, errdefs.ErrInvalidArgument)
	}
	// The rootfs lookup ignores mounts (a command on a volume or bind), so
	// the class the runtime gave through the monitor decides next.
	switch {
	case errdefs.IsPermissionDenied(err):
		return 126, fmt.Errorf("failed to create task for container: exec: %q: permission denied: %w", name, errdefs.ErrInvalidArgument)
	case errdefs.IsNotFound(err):
		return 127, fmt.Errorf("failed to create task for container: exec: %q: executable file not found in $PATH: %w", name, errdefs.ErrInvalidArgument)
	}
	// The command is there: the failure is something else, said as is.
	return 125, fmt.Errorf("failed to create task for container: %w", err)
}

var (
	errNoCommand     = errors.New("no such command")
	errNotExecutable = errors.New("not executable")
)

// lookCommand resolves name as the container's exec would, inside rootfs.
func lookCommand(rootfs, name string, env []string) error {
	check := func(p string) error {
		hp, err := securejoin.SecureJoin(rootfs, p)
		if err != nil {
			return errNoCommand
		}
		fi, err := os.Stat(hp)
		if err != nil {
			return errNoCommand
		}
		if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return errNotExecutable
		}
		return nil
	}
	if strings.Contains(name, "/") {
		return check(name)
	}
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			path = v
		}
	}
	res := errNoCommand
	for _, dir := range filepath.SplitList(path) {
		switch check(filepath.Join("/", dir, name)) {
		case nil:
			return nil
		case errNotExecutable:
			res = errNotExecutable
		}
	}
	return res
}

func argv0(argv []string) string {
	if len(argv) == 0 {
		return ""
	}
	return argv[0]
}

// writeJSONFile writes v to name atomically.
func writeJSONFile(name string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return os.Rename(tmp, name)
}
