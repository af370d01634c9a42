package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"github.com/berthproject/berth/internal/runtime/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// nsJoin is one namespace to enter by path.
type nsJoin struct {
	typ  specs.LinuxNamespaceType
	path string
}

// nsPlan splits the namespace work between the three places that can do it:
// clone flags on the re-exec (new namespaces, with Go writing the id maps),
// the parent's locked thread right before the clone (joins whose effect is
// inherited: pid and time apply only to children; everything when the
// child gets a new user namespace and so loses rights over host-owned ones),
// and the child's C constructor (user and mount joins, which a
// multi-threaded process may not do).
type nsPlan struct {
	cloneFlags  uintptr
	threadJoins []nsJoin
	ctorJoins   []string // user first, mount last
	ctorUnshare uintptr
}

func planNamespaces(namespaces []specs.LinuxNamespace) nsPlan {
	var p nsPlan
	var newUser, joinUser bool
	for _, ns := range namespaces {
		if ns.Type == specs.UserNamespace {
			newUser, joinUser = ns.Path == "", ns.Path != ""
		}
	}
	var user, mount string
	var middle []string
	for _, ns := range namespaces {
		flag := nsFlags[ns.Type]
		switch {
		case ns.Path == "" && ns.Type == specs.CgroupNamespace:
			// The init unshares it once the parent has moved it into
			// its cgroup, so that the namespace's root is that cgroup.
		case ns.Path == "" && joinUser && ns.Type != specs.TimeNamespace:
			// Owned by the joined user namespace: unshare after setns
			// (for pid, the constructor then forks the init).
			p.ctorUnshare |= flag
		case ns.Path == "":
			p.cloneFlags |= flag
		case ns.Type == specs.UserNamespace:
			user = ns.Path
		case newUser || ns.Type == specs.PIDNamespace || ns.Type == specs.TimeNamespace:
			p.threadJoins = append(p.threadJoins, nsJoin{ns.Type, ns.Path})
		case ns.Type == specs.MountNamespace:
			mount = ns.Path
		default:
			middle = append(middle, ns.Path)
		}
	}
	if user != "" {
		p.ctorJoins = append(p.ctorJoins, user)
	}
	p.ctorJoins = append(p.ctorJoins, middle...)
	if mount != "" {
		p.ctorJoins = append(p.ctorJoins, mount)
	}
	return p
}

// child is a started init (or exec) process and the parent's end of its
// sync socket.
type child struct {
	cmd  *exec.Cmd
	pid  int // the init: cmd's process, or its child when nsenter forked
	sync *os.File
	dec  *json.Decoder
}

type spawnArgs struct {
	plan   nsPlan
	spec   *specs.Spec // for id mappings
	stdio  [3]*os.File
	extra  []*os.File // preserved fds, then fifo/console as the init config says
	setsid bool
	exe    *exeHandle
	syncAt int // index in extra where the sync socket goes
	// cgroupDir is the cgroup v2 directory the child is born in
	// (CLONE_INTO_CGROUP); nil for none.
	cgroupDir *os.File
	// cgroupTasks, when set, returns the tasks files of the cgroup v1
	// hierarchies (maybe still being created while the child execs); the
	// child's constructor receives them and moves itself in.
	cgroupTasks func() ([]*os.File, error)
}

// spawn re-executes the runtime binary in init mode inside the planned
// namespaces. The caller sends the initConfig and reads the answer.
func spawn(ctx context.Context, a spawnArgs) (*child, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socketpair: %w", err)
	}
	parentEnd := os.NewFile(uintptr(fds[0]), "sync-parent")
	childEnd := os.NewFile(uintptr(fds[1]), "sync-child")
	defer childEnd.Close()

	// Preserved fds keep 3.. for the container; the sync socket follows.
	files := append([]*os.File{}, a.extra[:a.syncAt]...)
	syncFd := 3 + len(files)
	files = append(files, childEnd)
	files = append(files, a.extra[a.syncAt:]...)

	cmd := &exec.Cmd{
		Path:       a.exe.path,
		Args:       []string{"berth-runc", "init"},
		Env:        []string{"_BERTH_INIT=1", "_BERTH_SYNC_FD=" + strconv.Itoa(syncFd)},
		Stdin:      a.stdio[0],
		Stdout:     a.stdio[1],
		Stderr:     a.stdio[2],
		ExtraFiles: files,
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags: a.plan.cloneFlags,
			Setsid:     a.setsid,
		},
	}
	if len(a.plan.ctorJoins) > 0 {
		cmd.Env = append(cmd.Env, "_BERTH_SETNS="+strings.Join(a.plan.ctorJoins, ":"))
	}
	if a.plan.ctorUnshare != 0 {
		cmd.Env = append(cmd.Env, "_BERTH_UNSHARE="+strconv.FormatUint(uint64(a.plan.ctorUnshare), 10))
	}
	if a.cgroupTasks != nil {
		cmd.Env = append(cmd.Env, "_BERTH_CGROUPS=1")
	}
	if a.cgroupDir != nil {
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = int(a.cgroupDir.Fd())
	}
	if a.plan.cloneFlags&unix.CLONE_NEWUSER != 0 {
		cmd.SysProcAttr.UidMappings = idMaps(a.spec.Linux.UIDMappings)
		cmd.SysProcAttr.GidMappings = idMaps(a.spec.Linux.GIDMappings)
		cmd.SysProcAttr.GidMappingsEnableSetgroups = true
		// Become the namespace's root before exec: host root is not
		// mapped, and an unmapped uid has no capabilities there.
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: 0, Gid: 0}
	}
	forks := a.plan.ctorUnshare&unix.CLONE_NEWPID != 0
	if forks {
		// The forked init is reparented to us once the constructor's
		// process exits: be its subreaper so that we can wait for it.
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			parentEnd.Close()
			return nil, fmt.Errorf("become subreaper: %w", err)
		}
	}
	err = startIn(cmd, a.plan.threadJoins)
	joinUnified := false
	if err != nil && cmd.SysProcAttr.UseCgroupFD && noCloneIntoCgroup(err) {
		// A kernel before 5.7: start as before, move the child after.
		cmd = retryable(cmd)
		cmd.SysProcAttr.UseCgroupFD = false
		joinUnified = true
		err = startIn(cmd, a.plan.threadJoins)
	}
	if err != nil {
		parentEnd.Close()
		return nil, err
	}
	c := &child{cmd: cmd, pid: cmd.Process.Pid, sync: parentEnd, dec: json.NewDecoder(parentEnd)}
	if a.cgroupTasks != nil {
		// Before anything else: the constructor waits for them.
		if err := sendCgroupTasks(parentEnd, a.cgroupTasks); err != nil {
			c.kill()
			return nil, err
		}
	}
	if forks {
		msg, err := readSync(c.dec)
		_ = cmd.Wait() // the constructor's process exits right after the fork
		if err != nil {
			parentEnd.Close()
			return nil, fmt.Errorf("container init: %w", err)
		}
		if msg.Type != msgPid || msg.Pid <= 0 {
			parentEnd.Close()
			return nil, fmt.Errorf("container init: %w", msg.err())
		}
		c.pid = msg.Pid
	}
	if joinUnified {
		if err := cgroups.JoinUnified(a.cgroupDir, c.pid); err != nil {
			c.kill()
			return nil, err
		}
	}
	return c, nil
}

// maxCgroupTasks is nsenter.c's MAXCGROUPFDS.
const maxCgroupTasks = 32

// sendCgroupTasks sends the child's constructor one byte carrying the
// tasks files (SCM_RIGHTS), as soon as they exist.
func sendCgroupTasks(sock *os.File, tasks func() ([]*os.File, error)) error {
	files, err := tasks()
	if err != nil {
		return err
	}
	if len(files) > maxCgroupTasks {
		return fmt.Errorf("%d cgroup v1 hierarchies: at most %d are supported", len(files), maxCgroupTasks)
	}
	fds := make([]int, len(files))
	for i, f := range files {
		fds[i] = int(f.Fd())
	}
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	if err := unix.Sendmsg(int(sock.Fd()), []byte{byte(len(fds))}, oob, nil, 0); err != nil {
		return fmt.Errorf("send cgroups to container init: %w", err)
	}
	return nil
}

// noCloneIntoCgroup tells a kernel without clone3's CLONE_INTO_CGROUP
// (before 5.7) from any other failure to start.
func noCloneIntoCgroup(err error) bool {
	return errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.E2BIG)
}

// retryable returns a fresh copy of a Cmd whose Start failed: a Cmd may
// not be started twice.
func retryable(cmd *exec.Cmd) *exec.Cmd {
	attr := *cmd.SysProcAttr
	return &exec.Cmd{Path: cmd.Path, Args: cmd.Args, Env: cmd.Env, Stdin: cmd.Stdin, Stdout: cmd.Stdout, Stderr: cmd.Stderr, ExtraFiles: cmd.ExtraFiles, SysProcAttr: &attr}
}

func idMaps(m []specs.LinuxIDMapping) []syscall.SysProcIDMap {
	out := make([]syscall.SysProcIDMap, 0, len(m))
	for _, x := range m {
		out = append(out, syscall.SysProcIDMap{ContainerID: int(x.ContainerID), HostID: int(x.HostID), Size: int(x.Size)})
	}
	return out
}

// startIn starts cmd from a throw-away thread that first joins the given
// namespaces (the clone inherits them); no other goroutine ever runs there.
func startIn(cmd *exec.Cmd, joins []nsJoin) error {
	if len(joins) == 0 {
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start container init: %w", err)
		}
		return nil
	}
	return onThrowawayThread(func() error {
		for _, j := range joins {
			if j.typ == specs.MountNamespace {
				// setns(mnt) needs a private fs struct.
				if err := unix.Unshare(unix.CLONE_FS); err != nil {
					return fmt.Errorf("unshare fs: %w", err)
				}
			}
			fd, err := unix.Open(j.path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				return fmt.Errorf("open %s namespace %s: %w", j.typ, j.path, err)
			}
			err = unix.Setns(fd, int(nsFlags[j.typ]))
			unix.Close(fd)
			if err != nil {
				return fmt.Errorf("join %s namespace %s: %w", j.typ, j.path, err)
			}
		}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start container init: %w", err)
		}
		return nil
	})
}

// kill stops a child that failed half-way; its namespaces and mounts die
// with it.
func (c *child) kill() {
	if c.pid != c.cmd.Process.Pid {
		_ = unix.Kill(c.pid, unix.SIGKILL)
		_, _ = unix.Wait4(c.pid, nil, 0, nil)
	} else {
		_ = c.cmd.Process.Kill()
		_, _ = c.cmd.Process.Wait()
	}
	c.sync.Close()
}
