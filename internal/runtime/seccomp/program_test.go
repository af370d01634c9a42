package seccomp

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

var conditionalProfile = &specs.LinuxSeccomp{
	DefaultAction: specs.ActAllow,
	Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86},
	Flags:         []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog},
	Syscalls: []specs.LinuxSyscall{
		{Names: []string{"getppid"}, Action: specs.ActErrno, ErrnoRet: uptr(uint(unix.EDOM))},
		{Names: []string{"getpriority"}, Action: specs.ActErrno, ErrnoRet: uptr(uint(unix.ERANGE)),
			Args: []specs.LinuxSeccompArg{{Index: 0, Op: specs.OpEqualTo, Value: 1}}},
	},
}

// A compiled Program installed in another process behaves as Load does.
func TestProgramInstall(t *testing.T) {
	p, err := Compile(conditionalProfile)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint(unix.SECCOMP_FILTER_FLAG_TSYNC | unix.SECCOMP_FILTER_FLAG_LOG); p.Flags != want {
		t.Errorf("flags = %#x, want %#x", p.Flags, want)
	}
	got := runProbes(t, p, "getppid", "getpriority 1 0", "getpriority 0 0")
	if want := []int{int(unix.EDOM), int(unix.ERANGE), 0}; !slices.Equal(got, want) {
		t.Errorf("errnos = %v, want %v", got, want)
	}
}

func TestCompileCached(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seccomp")
	first, err := CompileCached(conditionalProfile, dir)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(entries) != 1 {
		t.Fatalf("cache holds %v, want one entry", entries)
	}
	second, err := CompileCached(conditionalProfile, dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("cached program differs (-first +second):\n%s", diff)
	}

	// A damaged entry is compiled again and replaced.
	if err := os.WriteFile(entries[0], []byte(`{"bpf":"AAAA","flags":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	third, err := CompileCached(conditionalProfile, dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, third); diff != "" {
		t.Errorf("program after a damaged entry differs:\n%s", diff)
	}
	if got := runProbes(t, third, "getppid"); got[0] != int(unix.EDOM) {
		t.Errorf("getppid errno = %d, want EDOM", got[0])
	}

	// Another profile gets its own entry.
	other := *conditionalProfile
	other.Syscalls = other.Syscalls[:1]
	if _, err := CompileCached(&other, dir); err != nil {
		t.Fatal(err)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(entries) != 2 {
		t.Errorf("cache holds %v, want two entries", entries)
	}
	// Bad profiles are refused, not cached.
	if _, err := CompileCached(&specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_NOPE"}, dir); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("bad profile: %v, want InvalidArgument", err)
	}
}

func TestInstallRejectsGarbage(t *testing.T) {
	// Validation precedes seccomp(2), so this is safe in the test process.
	for _, p := range []*Program{
		{BPF: nil, Flags: unix.SECCOMP_FILTER_FLAG_TSYNC},
		{BPF: []byte{1, 2, 3, 4, 5}, Flags: unix.SECCOMP_FILTER_FLAG_TSYNC},
		{BPF: make([]byte, 8), Flags: 1 << 20},
	} {
		if err := p.Install(); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("Install(%d bytes, flags %#x) = %v, want InvalidArgument", len(p.BPF), p.Flags, err)
		}
	}
}

// A Docker-sized allowlist for three architectures compiles to a program
// the kernel accepts, and it allows what it lists.
func TestLargeProgramInstalls(t *testing.T) {
	p, err := Compile(largeProfile())
	if err != nil {
		t.Fatal(err)
	}
	if got := runProbes(t, p, "getppid", "getpriority 0 0"); !slices.Equal(got, []int{0, 0}) {
		t.Errorf("errnos = %v, want both allowed", got)
	}
}
