package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/berthproject/berth/internal/runtime/cgroups"
	"github.com/berthproject/berth/internal/runtime/seccomp"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Create sets up container id from the bundle and leaves its init waiting
// for Start. On any error nothing is left behind: no state dir, no process,
// no cgroup (mounts and namespaces die with the init).
func (r *Runtime) Create(ctx context.Context, id, bundle string, opts CreateOpts) (retErr error) {
	if err := checkID(id); err != nil {
		return err
	}
	t0 := time.Now()
	phase := func(name string) {
		slog.DebugContext(ctx, "create", "id", id, "phase", name, "elapsed", time.Since(t0))
	}
	bundle, err := filepath.Abs(bundle)
	if err != nil {
		return fmt.Errorf("bundle %q: %w", bundle, err)
	}
	phase("start")
	spec, rootfs, err := loadSpec(bundle)
	if err != nil {
		return err
	}
	phase("spec loaded")
	if spec.Process.Terminal && opts.ConsoleSocket == "" {
		return fmt.Errorf("process.terminal is true but no console socket was given: %w", errdefs.ErrInvalidArgument)
	}
	// Compiled before anything exists: a bad profile leaves nothing.
	prog, err := r.compileSeccomp(spec.Linux.Seccomp)
	if err != nil {
		return err
	}
	dir, err := r.makeStateDir(id)
	if err != nil {
		return err
	}
	var c *child
	cg, err := newCgroup(spec, id)
	if err != nil {
		os.RemoveAll(dir)
		return err
	}
	phase("cgroup manager")
	defer func() {
		if retErr == nil {
			return
		}
		if c != nil {
			c.kill()
		}
		cg.destroy()
		os.RemoveAll(dir)
	}()
	// The init is born in its cgroups: in the v2 one, made first, by
	// clone3; the v1 ones are made in parallel with the fifo, the runtime
	// binary's mount and the init's exec, whose constructor then receives
	// their tasks files and enters them.
	unifiedDir, err := cg.m.CreateUnified()
	if err != nil {
		return err
	}
	if unifiedDir != nil {
		defer unifiedDir.Close()
	}
	var place *cgroups.Placement
	var placeErr error
	placed := make(chan struct{})
	go func() {
		defer close(placed)
		place, placeErr = cg.create()
	}()
	defer func() {
		<-placed // before the cgroup's removal on failure
		place.Close()
	}()
	cgroupTasks := func() ([]*os.File, error) {
		<-placed
		phase("cgroup created")
		if placeErr != nil {
			return nil, placeErr
		}
		return place.Tasks, nil
	}
	cfg := &initConfig{ID: id, Spec: spec, Process: spec.Process, Rootfs: rootfs, NoPivot: opts.NoPivot, NoNewKeyring: opts.NoNewKeyring, Bundle: bundle, Seccomp: prog}
	extra, closeFiles, err := initFiles(cfg, dir, opts)
	defer closeFiles()
	if err != nil {
		return err
	}
	phase("prepared")
	exe, err := openExe()
	if err != nil {
		return err
	}
	defer exe.Close()
	c, err = spawn(ctx, spawnArgs{
		plan:        planNamespaces(spec.Linux.Namespaces),
		spec:        spec,
		stdio:       stdio(opts.Stdin, opts.Stdout, opts.Stderr),
		extra:       extra,
		setsid:      spec.Process.Terminal,
		exe:         exe,
		syncAt:      cfg.Preserved,
		cgroupDir:   unifiedDir,
		cgroupTasks: cgroupTasks,
	})
	if err != nil {
		return err
	}
	phase("spawned")
	if err := configureInit(ctx, c, cfg); err != nil {
		return err
	}
	phase("init ready")
	st := &containerState{ID: id, Bundle: bundle, Rootfs: rootfs, Pid: c.pid, Created: time.Now().UTC(), Annotations: spec.Annotations, Config: spec}
	if st.StartTime, err = procStartTime(c.pid); err != nil {
		return fmt.Errorf("container init died: %w", err)
	}
	st.Cgroup = cg.state()
	if err := r.save(st); err != nil {
		return err
	}
	if opts.PidFile != "" {
		if err := writePidFile(opts.PidFile, c.pid); err != nil {
			return err
		}
	}
	c.sync.Close()
	// The init now belongs to whoever reaps it; Release keeps Go from
	// tracking it.
	if c.pid == c.cmd.Process.Pid {
		_ = c.cmd.Process.Release()
	}
	slog.DebugContext(ctx, "container created", "id", id, "pid", c.pid)
	return nil
}

// makeStateDir creates the container's state dir; its existence is what
// makes an id taken.
func (r *Runtime) makeStateDir(id string) (string, error) {
	if err := os.MkdirAll(r.root, 0o711); err != nil {
		return "", fmt.Errorf("create state root %s: %w", r.root, err)
	}
	dir := r.dir(id)
	if err := os.Mkdir(dir, 0o711); err != nil {
		if errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("container %q already exists: %w", id, errdefs.ErrAlreadyExists)
		}
		return "", fmt.Errorf("create state dir: %w", err)
	}
	return dir, nil
}

// initFiles makes the exec fifo and connects the console socket, and
// returns the fds the init gets after stdio: the preserved ones (3…), then
// (after the sync socket, which spawn inserts) the fifo and the console.
func initFiles(cfg *initConfig, dir string, opts CreateOpts) ([]*os.File, func(), error) {
	var opened []*os.File
	closeAll := func() {
		for _, f := range opened {
			f.Close()
		}
	}
	cfg.ConsoleFd = -1
	extra := append([]*os.File{}, opts.ExtraFiles...)
	cfg.Preserved = len(extra)
	fifoPath := filepath.Join(dir, fifoName)
	if err := unix.Mkfifo(fifoPath, 0o622); err != nil {
		return nil, closeAll, fmt.Errorf("create exec fifo: %w", err)
	}
	// Past the umask: an init in a user namespace is "other" to us.
	if err := os.Chmod(fifoPath, 0o622); err != nil {
		return nil, closeAll, fmt.Errorf("create exec fifo: %w", err)
	}
	fifo, err := os.OpenFile(fifoPath, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, closeAll, fmt.Errorf("open exec fifo: %w", err)
	}
	opened = append(opened, fifo)
	cfg.FifoFd = 3 + len(extra) + 1
	extra = append(extra, fifo)
	if cfg.Process.Terminal {
		sock, err := dialConsole(opts.ConsoleSocket)
		if err != nil {
			return nil, closeAll, err
		}
		opened = append(opened, sock)
		cfg.ConsoleFd = 3 + len(extra) + 1
		extra = append(extra, sock)
	}
	if inUserNS(cfg.Spec) {
		cfg.MountFds = make([]int, len(cfg.Spec.Mounts))
		for i, m := range cfg.Spec.Mounts {
			cfg.MountFds[i] = -1
			if !isBindMount(m) {
				continue
			}
			src, err := cloneMountTree(m)
			if err != nil {
				return nil, closeAll, err
			}
			opened = append(opened, src)
			cfg.MountFds[i] = 3 + len(extra) + 1
			extra = append(extra, src)
		}
	}
	return extra, closeAll, nil
}

// cloneMountTree makes a detached copy of a bind mount's source: the init,
// in its user namespace, may be unable to reach the source path (podman's
// 0700 run dirs), and a plain fd would name a mount of the host's
// namespace, which bind refuses; a detached tree can be moved in.
func cloneMountTree(m specs.Mount) (*os.File, error) {
	flags := uint(unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC)
	for _, o := range m.Options {
		if o == "rbind" {
			flags |= unix.AT_RECURSIVE
		}
	}
	fd, err := unix.OpenTree(unix.AT_FDCWD, m.Source, flags)
	if err != nil {
		return nil, fmt.Errorf("bind mount source %s: %w", m.Source, err)
	}
	return os.NewFile(uintptr(fd), m.Source), nil
}

// configureInit runs the parent's side of the sync protocol: the config,
// the prestart/createRuntime hooks (the init already sits in its cgroups:
// it was born there), and the ready answer.
func configureInit(ctx context.Context, c *child, cfg *initConfig) error {
	spec := cfg.Spec
	cfg.HostPid = c.pid
	//lint:ignore SA1019 prestart is deprecated but engines still use it.
	hooks := spec.Hooks != nil && (len(spec.Hooks.Prestart) > 0 || len(spec.Hooks.CreateRuntime) > 0)
	if !hooks {
		if err := writeSync(c.sync, cfg.forInit()); err != nil {
			return initGone(c, err)
		}
	}
	if hooks {
		state := &specs.State{Version: specs.Version, ID: cfg.ID, Status: specs.StateCreating, Pid: c.pid, Bundle: cfg.Bundle, Annotations: spec.Annotations}
		//lint:ignore SA1019 prestart is deprecated but engines still use it.
		if err := runHooks(ctx, "prestart", spec.Hooks.Prestart, state); err != nil {
			return err
		}
		if err := runHooks(ctx, "createRuntime", spec.Hooks.CreateRuntime, state); err != nil {
			return err
		}
		if err := writeSync(c.sync, cfg.forInit()); err != nil {
			return initGone(c, err)
		}
	}
	// The init waits for this before entering a cgroup namespace or
	// pivoting into the container.
	if err := writeSync(c.sync, syncMsg{Type: msgCgroupReady}); err != nil {
		return initGone(c, err)
	}
	msg, err := readSync(c.dec)
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("container init exited during setup")
	}
	if err != nil {
		return err
	}
	if msg.Type != msgReady {
		return fmt.Errorf("create container %q: %w", cfg.ID, msg.err())
	}
	return nil
}

func stdio(in, out, errf *os.File) [3]*os.File {
	return [3]*os.File{in, out, errf}
}

func dialConsole(path string) (*os.File, error) {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return nil, fmt.Errorf("console socket %s: %w", path, err)
	}
	defer conn.Close()
	f, err := conn.(*net.UnixConn).File()
	if err != nil {
		return nil, fmt.Errorf("console socket %s: %w", path, err)
	}
	return f, nil
}

// writePidFile writes atomically, as runc does: podman reads it at once.
func writePidFile(path string, pid int) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)), 0o644); err != nil {
		return fmt.Errorf("write pid file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write pid file: %w", err)
	}
	return nil
}

// initGone explains a failed write to the init: it gave up, and its reason
// is waiting in the socket.
func initGone(c *child, werr error) error {
	if msg, err := readSync(c.dec); err == nil && msg.Type == msgError {
		return msg.err()
	}
	return fmt.Errorf("container init exited during setup: %w", werr)
}

// compileSeccomp compiles the profile once per distinct profile and host
// (cached under the root, a tmpfs in the default /run), so that a container
// start only installs it.
func (r *Runtime) compileSeccomp(cfg *specs.LinuxSeccomp) (*seccomp.Program, error) {
	if cfg == nil {
		return nil, nil
	}
	if err := os.MkdirAll(r.root, 0o711); err != nil {
		return nil, fmt.Errorf("create state root %s: %w", r.root, err)
	}
	// '@' is not allowed in container ids: no container can collide.
	prog, err := seccomp.CompileCached(cfg, filepath.Join(r.root, "@seccomp"))
	if err != nil {
		return nil, fmt.Errorf("linux.seccomp: %w", err)
	}
	return prog, nil
}
