package runtime_test

import (
	"slices"
	"testing"

	"github.com/berthproject/berth/internal/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestSeccompNonRootUser: Docker's default profile for a process that is
// not root and may gain privileges (no no_new_privs). Installing a filter
// then needs CAP_SYS_ADMIN, which the init loses when it switches user: the
// filter must go on before, and what the init does afterwards (setgroups,
// setresuid, capset, prctl, execve…) must pass it.
func TestSeccompNonRootUser(t *testing.T) {
	e := newEnv(t)
	id, spec := e.spec(sh(`id -u; id -g; mkdir /tmp/x`)...)
	spec.Process.User = specs.User{UID: 1000, GID: 1000}
	spec.Process.NoNewPrivileges = false
	profile, err := oci.DefaultProfile().Compile(spec.Process.Capabilities.Bounding)
	if err != nil {
		t.Fatal(err)
	}
	// mkdir answers ENOSYS instead of being allowed: the proof that the
	// filter is on.
	denied := []string{"mkdir", "mkdirat"}
	for i := range profile.Syscalls {
		profile.Syscalls[i].Names = slices.DeleteFunc(profile.Syscalls[i].Names, func(n string) bool { return slices.Contains(denied, n) })
	}
	profile.Syscalls = slices.DeleteFunc(profile.Syscalls, func(s specs.LinuxSyscall) bool { return len(s.Names) == 0 })
	enosys := uint(38)
	profile.Syscalls = append(profile.Syscalls, specs.LinuxSyscall{Names: denied, Action: specs.ActErrno, ErrnoRet: &enosys})
	spec.Linux.Seccomp = profile

	r := e.run(id, spec)
	if got, want := r.stdout, "1000\n1000\n"; got != want {
		t.Fatalf("stdout %q, want %q (stderr %q, exit %d)", got, want, r.stderr, r.code)
	}
	if r.code == 0 {
		t.Fatal("mkdir succeeded under a filter that forbids it")
	}
	if want := "Function not implemented"; !contains(r.stderr, want) {
		t.Errorf("stderr %q does not mention %q", r.stderr, want)
	}
}
