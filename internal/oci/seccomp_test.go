package oci

import (
	"slices"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// allowed reports whether the compiled profile allows name without
// argument conditions.
func allowed(s *specs.LinuxSeccomp, name string) bool {
	for _, r := range s.Syscalls {
		if r.Action == specs.ActAllow && len(r.Args) == 0 && slices.Contains(r.Names, name) {
			return true
		}
	}
	return false
}

func rulesFor(s *specs.LinuxSeccomp, name string) []specs.LinuxSyscall {
	var out []specs.LinuxSyscall
	for _, r := range s.Syscalls {
		if slices.Contains(r.Names, name) {
			out = append(out, r)
		}
	}
	return out
}

func TestDefaultSeccompProfile(t *testing.T) {
	s, err := DefaultProfile().compile(DefaultCapabilities, "amd64")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32}, s.Architectures); diff != "" {
		t.Errorf("architectures:\n%s", diff)
	}
	for _, name := range []string{"read", "openat", "execve", "arch_prctl", "chroot", "ptrace"} {
		if !allowed(s, name) {
			t.Errorf("%s is not allowed by default", name)
		}
	}
	for _, name := range []string{"mount", "umount2", "unshare", "setns", "reboot", "init_module", "kexec_load", "keyctl", "add_key", "open_by_handle_at", "clock_settime", "cacheflush"} {
		if allowed(s, name) {
			t.Errorf("%s is allowed without its capability", name)
		}
	}
	clone := rulesFor(s, "clone")
	want := []specs.LinuxSyscall{{Names: []string{"clone"}, Action: specs.ActAllow,
		Args: []specs.LinuxSeccompArg{{Index: 0, Value: namespaceCloneFlags, Op: specs.OpMaskedEqual}}}}
	if diff := cmp.Diff(want, clone); diff != "" {
		t.Errorf("clone rule without CAP_SYS_ADMIN (-want +got):\n%s", diff)
	}
	if c3 := rulesFor(s, "clone3"); len(c3) != 1 || c3[0].Action != specs.ActErrno || *c3[0].ErrnoRet != uint(unix.ENOSYS) {
		t.Errorf("clone3 rules %+v, want ENOSYS", c3)
	}

	admin, _ := DefaultProfile().compile(append(slices.Clone(DefaultCapabilities), "CAP_SYS_ADMIN"), "arm64")
	for _, name := range []string{"mount", "umount2", "unshare", "setns", "clone", "clone3", "cacheflush"} {
		if !allowed(admin, name) {
			t.Errorf("%s not allowed with CAP_SYS_ADMIN on arm64", name)
		}
	}
	if allowed(admin, "arch_prctl") {
		t.Error("x86 arch_prctl allowed on arm64")
	}
	if diff := cmp.Diff([]specs.Arch{specs.ArchAARCH64, specs.ArchARM}, admin.Architectures); diff != "" {
		t.Errorf("arm64 architectures:\n%s", diff)
	}
}

func TestCustomSeccompProfile(t *testing.T) {
	profile := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"name":"mkdir","action":"SCMP_ACT_ERRNO"},
		{"names":["chmod"],"action":"SCMP_ACT_ERRNO","excludes":{"caps":["CAP_FOWNER"]}}]}`
	s, err := seccomp(profile, DefaultCapabilities)
	if err != nil {
		t.Fatal(err)
	}
	want := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActErrno}}}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("compiled profile (-want +got):\n%s", diff)
	}
	if s, err := seccomp("unconfined", nil); s != nil || err != nil {
		t.Errorf("unconfined = %v, %v", s, err)
	}
	for _, bad := range []string{"{not json", `{"syscalls":[]}`} {
		if _, err := seccomp(bad, nil); !errdefs.IsInvalidArgument(err) {
			t.Errorf("profile %q: %v, want invalid argument", bad, err)
		}
	}
}
