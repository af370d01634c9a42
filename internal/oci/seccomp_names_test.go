package oci

import (
	"testing"

	libseccomp "github.com/seccomp/libseccomp-golang"
)

// newerThanLibseccomp are real syscalls that Debian 12's libseccomp (2.5.4)
// does not know yet; the runtime skips names libseccomp cannot resolve.
var newerThanLibseccomp = map[string]bool{
	"cachestat": true, "fchmodat2": true, "futex_requeue": true, "futex_wait": true, "futex_wake": true,
	"getxattrat": true, "listmount": true, "listxattrat": true, "map_shadow_stack": true, "mseal": true,
	"removexattrat": true, "setxattrat": true, "statmount": true, "uretprobe": true,
}

// Every name of the default profile is a syscall of some architecture: a
// typo would silently leave a call denied.
func TestDefaultProfileNamesAreSyscalls(t *testing.T) {
	arches := []string{"amd64", "x86", "x32", "arm64", "arm", "s390x", "s390", "riscv64", "mips64", "ppc64le"}
	p := DefaultProfile()
	for _, rule := range p.Syscalls {
		for _, name := range rule.Names {
			if newerThanLibseccomp[name] {
				continue
			}
			known := false
			for _, a := range arches {
				arch, err := libseccomp.GetArchFromString(a)
				if err != nil {
					continue
				}
				if _, err := libseccomp.GetSyscallFromNameByArch(name, arch); err == nil {
					known = true
					break
				}
			}
			if !known {
				t.Errorf("%q is not a syscall libseccomp knows on any architecture", name)
			}
		}
	}
}
