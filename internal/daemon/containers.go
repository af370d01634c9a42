package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/berthproject/berth/internal/binpath"
	"github.com/berthproject/berth/internal/container"
	"github.com/berthproject/berth/internal/content"
	"github.com/berthproject/berth/internal/network"
	"github.com/berthproject/berth/internal/shim"
	"github.com/berthproject/berth/internal/snapshot"
	"github.com/berthproject/berth/internal/volume"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// openContainers builds the container service: the snapshotter under
// <root>/snapshots, the container monitor (berth-shim, launched or
// re-joined) under <exec-root>, and live restore of the recorded
// containers.
func (s *services) openContainers(ctx context.Context, cfg Config, logger *slog.Logger) error {
	snaps, err := snapshot.New(ctx, filepath.Join(cfg.Root, "snapshots"))
	if err != nil {
		return fmt.Errorf("snapshotter: %w", err)
	}
	blobs, err := content.Open(filepath.Join(cfg.Root, "content"))
	if err != nil {
		return fmt.Errorf("content store: %w", err)
	}
	mon := &lazyShim{opts: shim.Options{
		StateDir:    filepath.Join(cfg.ExecRoot, "shim"),
		RuntimeRoot: filepath.Join(cfg.ExecRoot, "runtime"),
	}}
	// A daemon that never runs a container never starts a shim; one that
	// did finds its shim again (live restore) on the first call.
	if _, err := os.Stat(filepath.Join(mon.opts.StateDir, "shim.pid")); err == nil {
		if _, err := mon.client(ctx); err != nil {
			return fmt.Errorf("container monitor: %w", err)
		}
	}
	s.closers = append(s.closers, mon.Close)
	vols, _ := s.volumes.(*volume.Service)
	ccfg := container.Config{
		Root: filepath.Join(cfg.Root, "containers"), DB: s.db, Images: s.images, Blobs: blobs,
		Snapshots: snaps, Volumes: vols, Monitor: shimMonitor{mon}, InitBinary: initBinary(), Logger: logger,
	}
	// Bridge networking comes with the network service, when openNetworks
	// has built one that exposes its Manager.
	nets, _ := s.networks.(interface{ Manager() *network.Manager })
	if nets != nil {
		ccfg.Networks = nets.Manager()
	}
	svc, err := container.New(ctx, ccfg)
	if err != nil {
		return fmt.Errorf("container service: %w", err)
	}
	if nets != nil {
		if err := nets.Manager().Reconcile(ctx, svc.Running); err != nil {
			logger.Warn("reconcile network endpoints", "err", err)
		}
	}
	s.closers = append(s.closers, svc.Close)
	s.containers = svc
	// Images used by containers are kept from rmi and image prune.
	s.images.SetUsers(svc.ImageUsers)
	// Image events go on the bus the container service keeps.
	s.images.SetEvents(svc.Publish)
	return nil
}

// initBinary is berth-init beside the running executable, for --init.
func initBinary() string {
	p, _ := binpath.Beside("berth-init")
	return p
}

// lazyShim launches (or joins) the shim on first use.
type lazyShim struct {
	opts shim.Options
	mu   sync.Mutex
	c    *shim.Client
}

func (l *lazyShim) client(ctx context.Context) (*shim.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.c != nil {
		return l.c, nil
	}
	c, err := shim.Launch(ctx, l.opts)
	if err != nil {
		return nil, fmt.Errorf("container monitor: %w", err)
	}
	l.c = c
	return c, nil
}

func (l *lazyShim) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.c == nil {
		return nil
	}
	return l.c.Close()
}

// shimMonitor adapts the shim client to the container service's Monitor.
type shimMonitor struct{ l *lazyShim }

func (m shimMonitor) Create(ctx context.Context, r container.MonitorCreate) (int, error) {
	c, err := m.l.client(ctx)
	if err != nil {
		return 0, err
	}
	return c.Create(ctx, shim.CreateRequest{ID: r.ID, Bundle: r.Bundle, OpenStdin: r.OpenStdin, StdinOnce: r.StdinOnce,
		Log: shim.LogConfig{Driver: r.Log.Driver, Path: r.Log.Path, MaxSize: r.Log.MaxSize, MaxFiles: r.Log.MaxFiles}})
}

// do runs fn with the shim client.
func (m shimMonitor) do(ctx context.Context, fn func(*shim.Client) error) error {
	c, err := m.l.client(ctx)
	if err != nil {
		return err
	}
	return fn(c)
}

func (m shimMonitor) Start(ctx context.Context, id string) error {
	return m.do(ctx, func(c *shim.Client) error { return c.Start(ctx, id) })
}
func (m shimMonitor) Kill(ctx context.Context, id string, sig syscall.Signal, all bool) error {
	return m.do(ctx, func(c *shim.Client) error { return c.Kill(ctx, id, sig, all) })
}
func (m shimMonitor) Pause(ctx context.Context, id string) error {
	return m.do(ctx, func(c *shim.Client) error { return c.Pause(ctx, id) })
}
func (m shimMonitor) Resume(ctx context.Context, id string) error {
	return m.do(ctx, func(c *shim.Client) error { return c.Resume(ctx, id) })
}
func (m shimMonitor) Update(ctx context.Context, id string, res *specs.LinuxResources) error {
	return m.do(ctx, func(c *shim.Client) error { return c.Update(ctx, id, res) })
}
func (m shimMonitor) Ps(ctx context.Context, id string) (pids []int, err error) {
	err = m.do(ctx, func(c *shim.Client) error { pids, err = c.Ps(ctx, id); return err })
	return pids, err
}
func (m shimMonitor) State(ctx context.Context, id string) (st container.ProcState, err error) {
	err = m.do(ctx, func(c *shim.Client) error { s, err := c.State(ctx, id); st = procState(s); return err })
	return st, err
}
func (m shimMonitor) List(ctx context.Context) (out []container.ProcState, err error) {
	err = m.do(ctx, func(c *shim.Client) error {
		sts, err := c.List(ctx)
		for _, st := range sts {
			out = append(out, procState(st))
		}
		return err
	})
	return out, err
}
func (m shimMonitor) Wait(ctx context.Context, id string) (st container.ProcState, err error) {
	err = m.do(ctx, func(c *shim.Client) error { s, err := c.Wait(ctx, id); st = procState(s); return err })
	return st, err
}
func (m shimMonitor) Delete(ctx context.Context, id string) error {
	return m.do(ctx, func(c *shim.Client) error { return c.Delete(ctx, id) })
}
func (m shimMonitor) Exec(ctx context.Context, id string, r container.MonitorExec) (pid int, err error) {
	err = m.do(ctx, func(c *shim.Client) error {
		pid, err = c.Exec(ctx, id, shim.ExecRequest{ExecID: r.ExecID, Process: r.Process, OpenStdin: r.OpenStdin})
		return err
	})
	return pid, err
}
func (m shimMonitor) DeleteExec(ctx context.Context, execID string) error {
	return m.do(ctx, func(c *shim.Client) error { return c.DeleteExec(ctx, execID) })
}
func (m shimMonitor) Attach(ctx context.Context, id string, stdin, stdout, stderr bool) (conn net.Conn, err error) {
	err = m.do(ctx, func(c *shim.Client) error {
		conn, err = c.Attach(ctx, id, shim.AttachOptions{Stdin: stdin, Stdout: stdout, Stderr: stderr})
		return err
	})
	return conn, err
}
func (m shimMonitor) Resize(ctx context.Context, id string, w, h uint16) error {
	return m.do(ctx, func(c *shim.Client) error { return c.Resize(ctx, id, w, h) })
}

func procState(st shim.State) container.ProcState {
	return container.ProcState{ID: st.ID, Status: st.Status, Pid: st.Pid, ExitCode: st.ExitCode, ExitedAt: st.ExitedAt, OOMKilled: st.OOMKilled, Reason: st.Reason}
}
