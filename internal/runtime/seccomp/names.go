package seccomp

import (
	"fmt"
	"slices"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// archNames maps the spec's architecture names to libseccomp's.
var archNames = map[specs.Arch]string{
	specs.ArchX86:         "x86",
	specs.ArchX86_64:      "amd64",
	specs.ArchX32:         "x32",
	specs.ArchARM:         "arm",
	specs.ArchAARCH64:     "arm64",
	specs.ArchMIPS:        "mips",
	specs.ArchMIPS64:      "mips64",
	specs.ArchMIPS64N32:   "mips64n32",
	specs.ArchMIPSEL:      "mipsel",
	specs.ArchMIPSEL64:    "mipsel64",
	specs.ArchMIPSEL64N32: "mipsel64n32",
	specs.ArchPPC:         "ppc",
	specs.ArchPPC64:       "ppc64",
	specs.ArchPPC64LE:     "ppc64le",
	specs.ArchS390:        "s390",
	specs.ArchS390X:       "s390x",
	specs.ArchPARISC:      "parisc",
	specs.ArchPARISC64:    "parisc64",
	specs.ArchRISCV64:     "riscv64",
	specs.ArchLOONGARCH64: "loong64",
	specs.ArchM68K:        "m68k",
	specs.ArchSH:          "sh",
	specs.ArchSHEB:        "sheb",
}

var operators = map[specs.LinuxSeccompOperator]libseccomp.ScmpCompareOp{
	specs.OpNotEqual:     libseccomp.CompareNotEqual,
	specs.OpLessThan:     libseccomp.CompareLess,
	specs.OpLessEqual:    libseccomp.CompareLessOrEqual,
	specs.OpEqualTo:      libseccomp.CompareEqual,
	specs.OpGreaterEqual: libseccomp.CompareGreaterEqual,
	specs.OpGreaterThan:  libseccomp.CompareGreater,
	specs.OpMaskedEqual:  libseccomp.CompareMaskedEqual,
}

// actions are the spec's actions berth implements. SCMP_ACT_NOTIFY is
// missing on purpose: it needs a listener (seccomp agent) berth lacks.
var actions = map[specs.LinuxSeccompAction]libseccomp.ScmpAction{
	specs.ActKill:        libseccomp.ActKillThread,
	specs.ActKillThread:  libseccomp.ActKillThread,
	specs.ActKillProcess: libseccomp.ActKillProcess,
	specs.ActTrap:        libseccomp.ActTrap,
	specs.ActErrno:       libseccomp.ActErrno,
	specs.ActTrace:       libseccomp.ActTrace,
	specs.ActAllow:       libseccomp.ActAllow,
	specs.ActLog:         libseccomp.ActLog,
}

// flag bits as the seccomp(2) syscall knows them, for probing the kernel.
const (
	flagTsync     = specs.LinuxSeccompFlag("SECCOMP_FILTER_FLAG_TSYNC")
	flagLog       = specs.LinuxSeccompFlagLog
	flagSpecAllow = specs.LinuxSeccompFlagSpecAllow
)

var flagBits = map[specs.LinuxSeccompFlag]uintptr{
	flagTsync:     unix.SECCOMP_FILTER_FLAG_TSYNC,
	flagLog:       unix.SECCOMP_FILTER_FLAG_LOG,
	flagSpecAllow: unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW,
}

// toAction converts a spec action; errnoRet is only meaningful for ERRNO
// and TRACE, which default to EPERM as runc's do.
func toAction(name specs.LinuxSeccompAction, errnoRet *uint) (libseccomp.ScmpAction, error) {
	if name == specs.ActNotify {
		return libseccomp.ActInvalid, fmt.Errorf("seccomp action %s: needs a seccomp agent (listenerPath), which berth does not support: %w", name, errdefs.ErrNotImplemented)
	}
	act, ok := actions[name]
	if !ok {
		return libseccomp.ActInvalid, fmt.Errorf("seccomp action %q: must be one of %v: %w", name, sortedKeys(actions), errdefs.ErrInvalidArgument)
	}
	if act != libseccomp.ActErrno && act != libseccomp.ActTrace {
		if errnoRet != nil {
			return libseccomp.ActInvalid, fmt.Errorf("seccomp action %s: errnoRet is only valid with %s and %s: %w", name, specs.ActErrno, specs.ActTrace, errdefs.ErrInvalidArgument)
		}
		return act, nil
	}
	code := uint(unix.EPERM)
	if errnoRet != nil {
		code = *errnoRet
	}
	if code > 4095 { // MAX_ERRNO: larger values are not errors to libc
		return libseccomp.ActInvalid, fmt.Errorf("seccomp errnoRet %d: must be at most 4095: %w", code, errdefs.ErrInvalidArgument)
	}
	return act.SetReturnCode(int16(code)), nil
}

func toArch(name specs.Arch) (libseccomp.ScmpArch, error) {
	n, ok := archNames[name]
	if !ok {
		return libseccomp.ArchInvalid, fmt.Errorf("seccomp architecture %q is unknown: %w", name, errdefs.ErrInvalidArgument)
	}
	a, err := libseccomp.GetArchFromString(n)
	if err != nil {
		return libseccomp.ArchInvalid, fmt.Errorf("seccomp architecture %s: not supported by this libseccomp: %w: %w", name, err, errdefs.ErrNotImplemented)
	}
	return a, nil
}

func sortedKeys[K ~string, V any](m map[K]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	slices.Sort(keys)
	return keys
}
