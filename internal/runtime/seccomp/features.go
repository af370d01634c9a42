package seccomp

import (
	"errors"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// Features reports what Load accepts, for `berth-runc features`.
// SupportedFlags is the subset of KnownFlags that this kernel and
// libseccomp can apply.
func Features() *features.Seccomp {
	enabled := true
	f := &features.Seccomp{
		Enabled:   &enabled,
		Actions:   sortedKeys(actions),
		Operators: sortedKeys(operators),
	}
	for name, lib := range archNames {
		if _, err := libseccomp.GetArchFromString(lib); err == nil {
			f.Archs = append(f.Archs, string(name))
		}
	}
	slices.Sort(f.Archs)
	f.KnownFlags = sortedKeys(flagBits)
	for _, name := range f.KnownFlags {
		if flagSupported(name) {
			f.SupportedFlags = append(f.SupportedFlags, name)
		}
	}
	return f
}

// flagSupported asks libseccomp's API level and then the kernel: seccomp(2)
// with a NULL program fails with EFAULT when it accepts the flag and with
// EINVAL when it does not, without installing anything.
func flagSupported(name string) bool {
	api, err := libseccomp.GetAPI()
	if err != nil {
		return false
	}
	switch name {
	case string(flagLog):
		if api < 3 {
			return false
		}
	case string(flagSpecAllow):
		if api < 4 {
			return false
		}
	}
	_, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flagBits[specs.LinuxSeccompFlag(name)], 0)
	return errors.Is(errno, unix.EFAULT)
}
