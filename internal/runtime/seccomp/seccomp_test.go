package seccomp

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestErrnoRetAndUnknownSyscallSkipped(t *testing.T) {
	cfg := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"berth_no_such_syscall", "getppid"}, Action: specs.ActErrno, ErrnoRet: uptr(uint(unix.EDOM))},
			// Same action as the default: dropped, not an error.
			{Names: []string{"getpid"}, Action: specs.ActAllow},
		},
	}
	got := runProbes(t, cfg, "getppid", "getpriority 0 0")
	if want := []int{int(unix.EDOM), 0}; !slices.Equal(got, want) {
		t.Errorf("errnos = %v, want %v (getppid denied with EDOM, getpriority allowed)", got, want)
	}
}

func TestErrnoWithoutErrnoRetIsEPERM(t *testing.T) {
	cfg := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: specs.ActErrno}}}
	if got := runProbes(t, cfg, "getppid"); got[0] != int(unix.EPERM) {
		t.Errorf("errno = %d, want EPERM", got[0])
	}
}

// The default action applies to everything not allowed; the Go runtime's
// own syscalls are allowed so the helper can still print and exit —
// including those of a new thread (clone3, set_robust_list, rseq…), which
// the runtime may start at any time on a busy machine: glibc aborts when
// it cannot.
func TestDefaultActionWithErrnoRet(t *testing.T) {
	cfg := &specs.LinuxSeccomp{
		DefaultAction:   specs.ActErrno,
		DefaultErrnoRet: uptr(uint(unix.EXDEV)),
		Syscalls: []specs.LinuxSyscall{{Action: specs.ActAllow, Names: []string{
			"write", "read", "exit", "exit_group", "futex", "nanosleep", "clock_nanosleep", "sched_yield",
			"mmap", "munmap", "madvise", "mprotect", "rt_sigreturn", "rt_sigprocmask", "rt_sigaction",
			"sigaltstack", "gettid", "getpid", "tgkill", "epoll_pwait", "epoll_ctl", "clock_gettime", "getpriority",
			"clone", "clone3", "set_robust_list", "rseq", "sched_getaffinity",
		}}},
	}
	got := runProbes(t, cfg, "getppid", "getpriority 0 0")
	if want := []int{int(unix.EXDEV), 0}; !slices.Equal(got, want) {
		t.Errorf("errnos = %v, want %v", got, want)
	}
}

func TestArgumentConditions(t *testing.T) {
	const prioProcess, prioPgrp, prioUser = 0, 1, 2
	errno := func(e unix.Errno) *uint { return uptr(uint(e)) }
	cfg := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{
			// Two rules for one syscall, each with its own condition.
			{Names: []string{"getpriority"}, Action: specs.ActErrno, ErrnoRet: errno(unix.EDOM),
				Args: []specs.LinuxSeccompArg{{Index: 0, Op: specs.OpEqualTo, Value: prioPgrp}}},
			{Names: []string{"getpriority"}, Action: specs.ActErrno, ErrnoRet: errno(unix.ERANGE),
				Args: []specs.LinuxSeccompArg{{Index: 0, Op: specs.OpEqualTo, Value: prioUser}}},
			// Conditions on two arguments: both must hold.
			{Names: []string{"getpriority"}, Action: specs.ActErrno, ErrnoRet: errno(unix.EXDEV),
				Args: []specs.LinuxSeccompArg{
					{Index: 0, Op: specs.OpEqualTo, Value: prioProcess},
					{Index: 1, Op: specs.OpMaskedEqual, Value: 0xff00, ValueTwo: 0x4200},
				}},
			// Two conditions on one argument are alternatives (runc's semantics).
			{Names: []string{"getpriority"}, Action: specs.ActErrno, ErrnoRet: errno(unix.ENOTTY),
				Args: []specs.LinuxSeccompArg{
					{Index: 1, Op: specs.OpGreaterThan, Value: 0x7fff0000},
					{Index: 1, Op: specs.OpEqualTo, Value: 7777},
				}},
		},
	}
	got := runProbes(t, cfg,
		"getpriority 1 0", "getpriority 2 0", "getpriority 0 0",
		"getpriority 0 0x4213", "getpriority 1 0x4213",
		"getpriority 0 0x7fff0001", "getpriority 0 7777")
	want := []int{int(unix.EDOM), int(unix.ERANGE), 0,
		int(unix.EXDEV), int(unix.EDOM),
		int(unix.ENOTTY), int(unix.ENOTTY)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errnos (-want +got):\n%s", diff)
	}
}

func TestKillProcess(t *testing.T) {
	cfg := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: specs.ActKillProcess}}}
	err := helper(t, cfg, "getppid").Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("helper: %v, want it killed", err)
	}
	if ws := exit.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != unix.SIGSYS {
		t.Errorf("helper ended with %v, want killed by SIGSYS", exit)
	}
}

func TestFlagsLoad(t *testing.T) {
	cfg := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Flags:    []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow},
		Syscalls: []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: specs.ActLog}}}
	filter, err := compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logBit, _ := filter.GetLogBit()
	ssb, _ := filter.GetSSB()
	filter.Release()
	if !logBit || !ssb {
		t.Errorf("log bit %v, SSB %v: want both set", logBit, ssb)
	}
	if got := runProbes(t, cfg, "getppid"); got[0] != 0 {
		t.Errorf("SCMP_ACT_LOG getppid errno = %d, want 0", got[0])
	}
}

func TestBadProfilesRejected(t *testing.T) {
	ok := specs.LinuxSyscall{Names: []string{"getppid"}, Action: specs.ActErrno}
	for name, tc := range map[string]struct {
		cfg  specs.LinuxSeccomp
		want error
	}{
		"default action": {specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_EXPLODE"}, errdefs.ErrInvalidArgument},
		"empty default":  {specs.LinuxSeccomp{}, errdefs.ErrInvalidArgument},
		"rule action": {specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
			Syscalls: []specs.LinuxSyscall{ok, {Names: []string{"getpid"}, Action: "SCMP_ACT_MAYBE"}}}, errdefs.ErrInvalidArgument},
		"operator": {specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"getpid"}, Action: specs.ActErrno,
			Args: []specs.LinuxSeccompArg{{Index: 0, Op: "SCMP_CMP_ALMOST"}}}}}, errdefs.ErrInvalidArgument},
		"arg index": {specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"getpid"}, Action: specs.ActErrno,
			Args: []specs.LinuxSeccompArg{{Index: 6, Op: specs.OpEqualTo}}}}}, errdefs.ErrInvalidArgument},
		"architecture": {specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{"SCMP_ARCH_Z80"}}, errdefs.ErrInvalidArgument},
		"flag":         {specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_BOGUS"}}, errdefs.ErrInvalidArgument},
		"errnoRet on allow": {specs.LinuxSeccomp{DefaultAction: specs.ActErrno,
			Syscalls: []specs.LinuxSyscall{{Names: []string{"getpid"}, Action: specs.ActAllow, ErrnoRet: uptr(1)}}}, errdefs.ErrInvalidArgument},
		"errnoRet too big": {specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: uptr(70000)}, errdefs.ErrInvalidArgument},
		"notify": {specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
			Syscalls: []specs.LinuxSyscall{{Names: []string{"getpid"}, Action: specs.ActNotify}}}, errdefs.ErrNotImplemented},
		"listener": {specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/run/agent.sock"}, errdefs.ErrNotImplemented},
	} {
		t.Run(name, func(t *testing.T) {
			// compile never installs the filter, so it is safe in-process.
			f, err := compile(&tc.cfg)
			if err == nil {
				f.Release()
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("compile: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestBadActionFailsLoadInHelper(t *testing.T) {
	cfg := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: "SCMP_ACT_EXPLODE"}}}
	out, err := helper(t, cfg, "getppid").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 4 {
		t.Errorf("helper: %v %s, want Load to fail (exit 4)", err, out)
	}
}

func TestNilProfileInstallsNothing(t *testing.T) {
	if err := Load(nil); err != nil {
		t.Fatal(err)
	}
}

func TestFeatures(t *testing.T) {
	f := Features()
	if f.Enabled == nil || !*f.Enabled {
		t.Fatal("seccomp not reported enabled")
	}
	for _, want := range []string{"SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_LOG"} {
		if !slices.Contains(f.Actions, want) {
			t.Errorf("Actions %v lack %s", f.Actions, want)
		}
	}
	if slices.Contains(f.Actions, "SCMP_ACT_NOTIFY") {
		t.Errorf("Actions report SCMP_ACT_NOTIFY, which Load refuses")
	}
	if !slices.Contains(f.Operators, "SCMP_CMP_MASKED_EQ") || len(f.Operators) != 7 {
		t.Errorf("Operators = %v, want the spec's 7", f.Operators)
	}
	if !slices.Contains(f.Archs, "SCMP_ARCH_X86_64") || !slices.Contains(f.Archs, "SCMP_ARCH_AARCH64") {
		t.Errorf("Archs = %v", f.Archs)
	}
	if !slices.Contains(f.SupportedFlags, "SECCOMP_FILTER_FLAG_TSYNC") {
		t.Errorf("SupportedFlags = %v, want TSYNC (kernel >= 3.17)", f.SupportedFlags)
	}
	for _, s := range f.SupportedFlags {
		if !slices.Contains(f.KnownFlags, s) {
			t.Errorf("supported flag %s is not in KnownFlags %v", s, f.KnownFlags)
		}
	}
}

func TestTrapRaisesSIGSYS(t *testing.T) {
	cfg := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"getppid"}, Action: specs.ActTrap}}}
	out, err := helper(t, cfg, "getppid").CombinedOutput()
	// The Go runtime treats an unexpected SIGSYS as fatal and names it.
	if err == nil || !strings.Contains(string(out), "SIGSYS") {
		t.Errorf("helper: %v, output %q; want it to die of SIGSYS", err, out)
	}
}
