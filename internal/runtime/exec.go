package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Exec starts process p inside running container id and returns its host
// pid; the process is a child of the caller, who waits for it (unix.Wait4).
func (r *Runtime) Exec(ctx context.Context, id string, p *specs.Process, opts ExecOpts) (pid int, retErr error) {
	st, err := r.load(id)
	if err != nil {
		return 0, err
	}
	if s := r.status(st); s != specs.StateRunning && s != specs.StateCreated {
		return 0, fmt.Errorf("container %q is %s: %w", id, s, errdefs.ErrFailedPrecondition)
	}
	if p == nil || len(p.Args) == 0 {
		return 0, fmt.Errorf("exec: process.args is empty: %w", errdefs.ErrInvalidArgument)
	}
	if p.Terminal && opts.ConsoleSocket == "" {
		return 0, fmt.Errorf("exec with a terminal needs a console socket: %w", errdefs.ErrInvalidArgument)
	}
	// Join every namespace the container has, through its init.
	var joins []specs.LinuxNamespace
	for _, ns := range st.Config.Linux.Namespaces {
		joins = append(joins, specs.LinuxNamespace{Type: ns.Type, Path: fmt.Sprintf("/proc/%d/ns/%s", st.Pid, procNsName[ns.Type])})
	}
	prog, err := r.compileSeccomp(st.Config.Linux.Seccomp)
	if err != nil {
		return 0, err
	}
	if p.Capabilities == nil && st.Config.Process != nil {
		// The container's capabilities are the default.
		withCaps := *p
		withCaps.Capabilities = st.Config.Process.Capabilities
		p = &withCaps
	}
	cfg := &initConfig{Exec: true, ID: id, Spec: st.Config, Process: p, Rootfs: "/", Bundle: st.Bundle, FifoFd: -1, ConsoleFd: -1, Seccomp: prog}
	extra := append([]*os.File{}, opts.ExtraFiles...)
	cfg.Preserved = len(extra)
	if p.Terminal {
		sock, err := dialConsole(opts.ConsoleSocket)
		if err != nil {
			return 0, err
		}
		defer sock.Close()
		cfg.ConsoleFd = 3 + len(extra) + 1
		extra = append(extra, sock)
	}
	// Born in the container's cgroups, not moved there (see
	// cgroups.Placement).
	place, err := loadCgroup(st.Cgroup).placement()
	if err != nil {
		return 0, err
	}
	defer place.Close()
	exe, err := openExe()
	if err != nil {
		return 0, err
	}
	defer exe.Close()
	args := spawnArgs{
		plan:   planNamespaces(joins),
		spec:   st.Config,
		stdio:  stdio(opts.Stdin, opts.Stdout, opts.Stderr),
		extra:  extra,
		setsid: p.Terminal,
		exe:    exe,
		syncAt: cfg.Preserved,
	}
	if place != nil {
		args.cgroupDir = place.Unified
		args.cgroupTasks = func() ([]*os.File, error) { return place.Tasks, nil }
	}
	c, err := spawn(ctx, args)
	if err != nil {
		return 0, err
	}
	defer func() {
		if retErr != nil {
			c.kill()
		}
	}()
	pid = c.pid
	cfg.HostPid = pid
	if err := writeSync(c.sync, cfg.forInit()); err != nil {
		return 0, fmt.Errorf("send config to exec init: %w", err)
	}
	// The socket closes on a successful exec (it is close-on-exec).
	msg, err := readSync(c.dec)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	if msg != nil {
		return 0, fmt.Errorf("exec in container %q: %w", id, msg.err())
	}
	c.sync.Close()
	if opts.PidFile != "" {
		if err := writePidFile(opts.PidFile, pid); err != nil {
			return 0, err
		}
	}
	if c.pid == c.cmd.Process.Pid {
		_ = c.cmd.Process.Release()
	}
	return pid, nil
}

// execInit runs in the exec'd process, already inside the container's
// namespaces (nsenter joined user and mount before Go started).
func execInit(sync *os.File, cfg *initConfig) error {
	pp, err := prepareProcess(cfg.Process, cfg.ConsoleFd)
	if err != nil {
		return err
	}
	pp.seccomp = cfg.Seccomp
	return pp.execute(cfg.Preserved)
}

// Wait reaps pid (a child of the caller: a container init it created or a
// process it exec'd) and returns its exit code, 128+signal when killed.
func Wait(pid int) (int, error) {
	if pid <= 0 {
		return -1, fmt.Errorf("wait: invalid pid %d: %w", pid, errdefs.ErrInvalidArgument)
	}
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return -1, fmt.Errorf("wait for pid %d: %w", pid, err)
		}
		break
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ws.ExitStatus(), nil
}
