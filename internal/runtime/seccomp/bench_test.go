package seccomp

import (
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
)

// BenchmarkCompileLargeProfile measures what Load costs a container start
// for a Docker-sized profile: an allowlist of every syscall this libseccomp
// knows (Docker's has ~370 names) on three architectures, plus a few
// conditional rules.
func BenchmarkCompileLargeProfile(b *testing.B) {
	cfg := largeProfile()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devNull.Close()
	for b.Loop() {
		f, err := compile(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if err := f.ExportBPF(devNull); err != nil { // the BPF generation Load does
			b.Fatal(err)
		}
		f.Release()
	}
}

func largeProfile() *specs.LinuxSeccomp {
	var names []string
	for n := range 500 {
		if name, err := libseccomp.ScmpSyscall(n).GetName(); err == nil {
			names = append(names, name)
		}
	}
	return &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
		Syscalls: []specs.LinuxSyscall{
			{Names: names, Action: specs.ActAllow},
			{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{
				{Index: 0, Op: specs.OpEqualTo, Value: 0}, {Index: 0, Op: specs.OpEqualTo, Value: 8}}},
			{Names: []string{"clone"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{
				{Index: 0, Op: specs.OpMaskedEqual, Value: 0x7e020000, ValueTwo: 0x7e020000}}},
		},
	}
}

// BenchmarkCompileCachedProfile is the same profile served from the cache:
// what a container start pays once the profile has been seen.
func BenchmarkCompileCachedProfile(b *testing.B) {
	cfg := largeProfile()
	dir := b.TempDir()
	if _, err := CompileCached(cfg, dir); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := CompileCached(cfg, dir); err != nil {
			b.Fatal(err)
		}
	}
}
