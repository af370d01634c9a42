package runtime

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"github.com/berthproject/berth/internal/runtime/seccomp"
	"github.com/containerd/console"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// preparedProcess is the user process, checked and half set up: everything
// that can fail for a reason the user should see at create time is done
// before the init reports ready.
type preparedProcess struct {
	p       *specs.Process
	path    string
	env     []string
	caps    *capSets
	seccomp *seccomp.Program // compiled by the parent; nil for none
}

// prepareProcess runs in the final root: cwd, rlimits, oom score, terminal,
// and the lookup of the binary.
func prepareProcess(p *specs.Process, consoleFd int) (*preparedProcess, error) {
	caps, err := parseCaps(p.Capabilities)
	if err != nil {
		return nil, err
	}
	env := p.Env
	if !hasEnv(env, "HOME") {
		env = append(env, "HOME="+homeDir(int(p.User.UID)))
	}
	cwd := p.Cwd
	if cwd == "" {
		cwd = "/"
	}
	if err := unix.Chdir(cwd); err != nil {
		return nil, fmt.Errorf("chdir to cwd %q in the container: %w", cwd, err)
	}
	if err := setRlimits(p.Rlimits); err != nil {
		return nil, err
	}
	if p.OOMScoreAdj != nil {
		if err := os.WriteFile("/proc/self/oom_score_adj", []byte(strconv.Itoa(*p.OOMScoreAdj)), 0); err != nil {
			return nil, fmt.Errorf("set oomScoreAdj %d: %w", *p.OOMScoreAdj, err)
		}
	}
	path, err := lookPath(p.Args[0], env)
	if err != nil {
		return nil, err
	}
	if consoleFd >= 0 {
		if err := setupConsole(consoleFd, int(p.User.UID), p.ConsoleSize); err != nil {
			return nil, err
		}
	}
	return &preparedProcess{p: p, path: path, env: env, caps: caps}, nil
}

// execute switches to the container user, applies the capability sets,
// no_new_privs and seccomp, and execs. It only returns on failure.
func (pp *preparedProcess) execute(preserved int) error {
	p := pp.p
	// Before seccomp, which may forbid close_range.
	// CVE-2024-21626: no fd of ours may reach the container process.
	if err := unix.CloseRange(uint(3+preserved), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("mark fds close-on-exec: %w", err)
	}
	// Without no_new_privs, installing the filter needs CAP_SYS_ADMIN in
	// the effective set: do it now, as runc does, while we are still root
	// with every capability — switching to a non-root user clears the
	// effective set. What follows (prctl, setgroups, setres[ug]id, umask,
	// capset, execve) is allowed by Docker's default profile. With
	// no_new_privs, as late as possible so that the profile need not
	// allow our own syscalls.
	if !p.NoNewPrivileges {
		if err := installSeccomp(pp.seccomp); err != nil {
			return err
		}
	}
	if err := pp.caps.dropBounding(); err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("keep capabilities: %w", err)
	}
	if err := setUser(p.User); err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0); err != nil {
		return err
	}
	umask := 0o022
	if p.User.Umask != nil {
		umask = int(*p.User.Umask)
	}
	unix.Umask(umask)
	if err := pp.caps.apply(); err != nil {
		return err
	}
	if p.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("set no_new_privs: %w", err)
		}
		if err := installSeccomp(pp.seccomp); err != nil {
			return err
		}
	}
	err := unix.Exec(pp.path, p.Args, pp.env)
	switch {
	case errors.Is(err, unix.ENOENT):
		// A script whose interpreter is missing.
		return fmt.Errorf("exec %q: %w in the container: %v", pp.path, ErrProcessNotFound, err)
	case errors.Is(err, unix.EACCES):
		// A noexec mount, a file the user may not execute.
		return fmt.Errorf("exec %q: %w in the container: %v", pp.path, ErrProcessNotExecutable, err)
	}
	return fmt.Errorf("exec %s: %w", pp.path, err)
}

// setUser switches this thread's credentials with raw syscalls, not Go's
// setuid family, which changes every thread of the process by signalling
// each of them (three rounds of signals). This thread is the one that
// execs, and the new program gets its credentials; the other threads die
// at the exec.
func setUser(u specs.User) error {
	var groups *uint32
	if len(u.AdditionalGids) > 0 {
		groups = &u.AdditionalGids[0]
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(u.AdditionalGids)), uintptr(unsafe.Pointer(groups)), 0); e != 0 {
		return fmt.Errorf("setgroups %v: %w", u.AdditionalGids, e)
	}
	gid, uid := uintptr(u.GID), uintptr(u.UID)
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, gid, gid, gid); e != 0 {
		return fmt.Errorf("setgid %d: %w", u.GID, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uid, uid, uid); e != 0 {
		return fmt.Errorf("setuid %d: %w", u.UID, e)
	}
	return nil
}

var rlimitTypes = map[string]int{
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_CPU": unix.RLIMIT_CPU,
	"RLIMIT_DATA": unix.RLIMIT_DATA, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS,
	"RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK, "RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE,
	"RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO, "RLIMIT_RTTIME": unix.RLIMIT_RTTIME, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_STACK": unix.RLIMIT_STACK,
}

func setRlimits(limits []specs.POSIXRlimit) error {
	for _, l := range limits {
		res, ok := rlimitTypes[l.Type]
		if !ok {
			return fmt.Errorf("rlimit: unknown type %q", l.Type)
		}
		want := unix.Rlimit{Cur: l.Soft, Max: l.Hard}
		if err := unix.Setrlimit(res, &want); err != nil {
			var cur unix.Rlimit
			_ = unix.Getrlimit(res, &cur)
			if err == unix.EPERM && l.Hard > cur.Max {
				return fmt.Errorf("rlimit %s: hard limit %d is above the host's %d, and raising it needs CAP_SYS_RESOURCE: %w", l.Type, l.Hard, cur.Max, err)
			}
			return fmt.Errorf("rlimit %s soft=%d hard=%d: %w", l.Type, l.Soft, l.Hard, err)
		}
	}
	return nil
}

func hasEnv(env []string, key string) bool {
	for _, e := range env {
		if strings.HasPrefix(e, key+"=") {
			return true
		}
	}
	return false
}

// homeDir reads the container's /etc/passwd; "/" when there is no entry.
func homeDir(uid int) string {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return "/"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Split(s.Text(), ":")
		if len(fields) >= 6 && fields[2] == strconv.Itoa(uid) {
			return fields[5]
		}
	}
	return "/"
}

// lookPath resolves the binary inside the container, with the container's
// PATH, so that a missing one is reported before the container starts.
// lookPath finds the process binary as execve and Docker see it: a path
// that does not exist is not found (127); one that exists but is a
// directory or lacks an execute bit is not executable (126). A $PATH
// search finds executables only.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		if err := isExecutable(name); err != nil {
			return "", err
		}
		return name, nil
	}
	path := defaultPath
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if isExecutable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("exec %q: %w in the container's $PATH (%s)", name, ErrProcessNotFound, path)
}

func isExecutable(p string) error {
	st, err := os.Stat(p)
	switch {
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR):
		return fmt.Errorf("exec %q: %w in the container", p, ErrProcessNotFound)
	case err != nil:
		// EACCES on a directory of the path, a loop of symlinks…
		return fmt.Errorf("exec %q: %w in the container: %v", p, ErrProcessNotExecutable, unwrapPathError(err))
	case st.IsDir():
		return fmt.Errorf("exec %q: %w in the container: it is a directory", p, ErrProcessNotExecutable)
	case st.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("exec %q: %w in the container: it has no execute permission", p, ErrProcessNotExecutable)
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// setupConsole makes a pty in the container's devpts, sized as
// process.consoleSize says (docker run -it sends the terminal's size at
// create: the process must see it from its first instruction), sends the
// master to the console socket and makes the slave our controlling
// terminal and stdio.
func setupConsole(socketFd, uid int, size *specs.Box) error {
	pty, slavePath, err := console.NewPty()
	if err != nil {
		return fmt.Errorf("create pty: %w", err)
	}
	defer pty.Close()
	if size != nil && size.Height > 0 && size.Width > 0 {
		if err := pty.Resize(console.WinSize{Height: uint16(size.Height), Width: uint16(size.Width)}); err != nil {
			return fmt.Errorf("set console size %dx%d: %w", size.Width, size.Height, err)
		}
	}
	rights := unix.UnixRights(int(pty.Fd()))
	if err := unix.Sendmsg(socketFd, []byte(slavePath), rights, nil, 0); err != nil {
		return fmt.Errorf("send pty master to console socket: %w", err)
	}
	unix.Close(socketFd)
	slave, err := unix.Open(slavePath, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", slavePath, err)
	}
	_ = unix.Fchown(slave, uid, -1)
	for fd := 0; fd < 3; fd++ {
		if err := unix.Dup3(slave, fd, 0); err != nil {
			return err
		}
	}
	unix.Close(slave)
	if err := unix.IoctlSetInt(0, unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("set controlling terminal: %w", err)
	}
	return nil
}

func installSeccomp(p *seccomp.Program) error {
	if p == nil {
		return nil
	}
	return p.Install()
}
