package runtime_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/runtime"
	"github.com/berthproject/berth/internal/runtime/testutil"
	"github.com/containerd/errdefs"
	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// TestBadInput: each mistake is a clear, classified error and leaves no
// state dir, cgroup or mount behind.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var hard unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &hard); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		bundle func(id string) string // returns the bundle dir
		class  func(error) bool
		says   string
		skip   bool
	}{
		{"no config.json", func(string) string { return t.TempDir() }, errdefs.IsNotFound, "no config.json", false},
		{"invalid JSON", func(string) string {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "config.json"), []byte("{not json"), 0o644)
			return dir
		}, errdefs.IsInvalidArgument, "parse", false},
		{"unknown namespace", func(id string) string {
			_, s := e.spec("true")
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "bogus"})
			return e.bundle(s)
		}, errdefs.IsInvalidArgument, `"bogus"`, false},
		{"missing rootfs", func(id string) string {
			_, s := e.spec("true")
			s.Root.Path = "/nonexistent/rootfs"
			return e.bundle(s)
		}, errdefs.IsNotFound, "/nonexistent/rootfs", false},
		{"absolute process missing", func(id string) string {
			_, s := e.spec("/bin/nope")
			return e.bundle(s)
		}, func(err error) bool {
			return errors.Is(err, runtime.ErrProcessNotFound) && errdefs.IsNotFound(err) && !errors.Is(err, runtime.ErrProcessNotExecutable)
		}, "/bin/nope", false},
		{"process missing from PATH", func(id string) string {
			_, s := e.spec("nope")
			return e.bundle(s)
		}, func(err error) bool { return errors.Is(err, runtime.ErrProcessNotFound) }, `"nope"`, false},
		{"process without execute permission", func(id string) string {
			_, s := e.spec("/etc/passwd")
			return e.bundle(s)
		}, func(err error) bool {
			return errors.Is(err, runtime.ErrProcessNotExecutable) && errdefs.IsPermissionDenied(err) && !errors.Is(err, runtime.ErrProcessNotFound)
		}, `"/etc/passwd": permission denied`, false},
		{"directory as the process", func(id string) string {
			_, s := e.spec("/etc")
			return e.bundle(s)
		}, func(err error) bool {
			return errors.Is(err, runtime.ErrProcessNotExecutable) && !errdefs.IsNotFound(err)
		}, "is a directory", false},
		{"invalid seccomp profile", func(id string) string {
			_, s := e.spec("true")
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_BOGUS"}
			return e.bundle(s)
		}, errdefs.IsInvalidArgument, "SCMP_ACT_BOGUS", false},
		{"rlimit above the host's", func(id string) string {
			_, s := e.spec("true")
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: hard.Max + 1, Hard: hard.Max + 1}}
			return e.bundle(s)
		}, func(err error) bool { return err != nil }, "CAP_SYS_RESOURCE", haveCap(capability.CAP_SYS_RESOURCE)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.skip {
				t.Skip("this process may raise rlimits (CAP_SYS_RESOURCE)")
			}
			id := strings.ReplaceAll(t.Name(), "/", "-")
			id = strings.ReplaceAll(id, " ", "-")
			id = strings.ReplaceAll(id, "'", "")
			sub := &env{t: t, rt: e.rt}
			err := e.rt.Create(ctx, id, c.bundle(id), runtime.CreateOpts{})
			if err == nil {
				_ = e.rt.Delete(ctx, id, true)
				t.Fatal("create succeeded")
			}
			if !c.class(err) {
				t.Errorf("error %v has the wrong class", err)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not mention %s", err, c.says)
			}
			sub.assertNothingLeft(id)
		})
	}
}

func TestDuplicateID(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, spec := e.spec("true")
	if err := e.create(id, spec, nil, nil); err != nil {
		t.Fatal(err)
	}
	err := e.rt.Create(ctx, id, e.bundle(spec), runtime.CreateOpts{})
	if !errdefs.IsAlreadyExists(err) {
		t.Fatalf("second create = %v, want already exists", err)
	}
	if st, err := e.rt.State(ctx, id); err != nil || st.Status != specs.StateCreated {
		t.Errorf("the first container was disturbed: %+v %v", st, err)
	}
}

func haveCap(c capability.Cap) bool {
	caps, err := capability.NewPid2(0)
	if err != nil || caps.Load() != nil {
		return false
	}
	return caps.Get(capability.EFFECTIVE, c)
}

func TestContainerIDs(t *testing.T) {
	e := newEnv(t)
	_, spec := e.spec("true")
	bundle := e.bundle(spec)
	for _, id := range []string{"", ".", "..", "a/b", "../x", "a b", "é", "x:y", strings.Repeat("a", 1025)} {
		if err := e.rt.Create(context.Background(), id, bundle, runtime.CreateOpts{}); !errdefs.IsInvalidArgument(err) {
			_ = e.rt.Delete(context.Background(), id, true)
			t.Errorf("create %q: %v, want an invalid argument", id, err)
		}
	}
	// Every allowed character, in one id.
	id := testutil.UniqueID("Az09_+.-")
	spec.Linux.CgroupsPath = "/berth-test/" + id
	if err := e.create(id, spec, nil, nil); err != nil {
		t.Errorf("create %q: %v", id, err)
	}
}
