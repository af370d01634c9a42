package runtime_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/runtime"
	"github.com/berthproject/berth/internal/runtime/testutil"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// sharedRootfs is one read-only busybox rootfs for the tests that do not
// write to their root.
var sharedRootfs string

func TestMain(m *testing.M) {
	// The test binary is the runtime binary: containers re-exec it.
	runtime.Init()
	code := func() int {
		if os.Geteuid() == 0 {
			dir, err := os.MkdirTemp("", "berth-runtime-test-")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer os.RemoveAll(dir)
			// Reachable by a container's root mapped to another host uid.
			if err := os.Chmod(dir, 0o755); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			sharedRootfs = filepath.Join(dir, "rootfs")
			if err := testutil.MakeRootfs(sharedRootfs); err != nil {
				fmt.Fprintln(os.Stderr, "make rootfs:", err)
				return 1
			}
		}
		defer testutil.RemoveCgroupParents()
		return m.Run()
	}()
	os.Exit(code)
}

// env is one test's runtime with its own state root.
type env struct {
	t  *testing.T
	rt *runtime.Runtime
}

func newEnv(t *testing.T) *env {
	t.Helper()
	testutil.NeedRoot(t)
	return &env{t: t, rt: runtime.New(t.TempDir())}
}

// spec returns a busybox spec with a fresh id.
func (e *env) spec(args ...string) (string, *specs.Spec) {
	id := testutil.UniqueID(strings.ReplaceAll(e.t.Name(), "/", "-"))
	return id, testutil.Spec(sharedRootfs, id, args...)
}

func (e *env) bundle(spec *specs.Spec) string {
	e.t.Helper()
	dir := e.t.TempDir()
	if err := testutil.WriteBundle(dir, spec); err != nil {
		e.t.Fatal(err)
	}
	return dir
}

// result is what a container printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

// create makes container id and registers its deletion.
func (e *env) create(id string, spec *specs.Spec, stdout, stderr *os.File) error {
	e.t.Helper()
	e.t.Cleanup(func() { _ = e.rt.Delete(context.Background(), id, true) })
	return e.rt.Create(context.Background(), id, e.bundle(spec), runtime.CreateOpts{Stdout: stdout, Stderr: stderr})
}

// run creates, starts and waits for a container, and deletes it.
func (e *env) run(id string, spec *specs.Spec) result {
	e.t.Helper()
	ctx := context.Background()
	outR, outW := pipe(e.t)
	errR, errW := pipe(e.t)
	err := e.create(id, spec, outW, errW)
	outW.Close()
	errW.Close()
	if err != nil {
		e.t.Fatalf("create: %v", err)
	}
	// The pid before start: a stopped container's state has none.
	st, err := e.rt.State(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.rt.Start(ctx, id); err != nil {
		e.t.Fatalf("start: %v", err)
	}
	var out, serr bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&serr, errR); close(done) }()
	io.Copy(&out, outR)
	<-done
	code, err := runtime.Wait(st.Pid)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.rt.Delete(ctx, id, false); err != nil {
		e.t.Fatalf("delete: %v", err)
	}
	return result{out.String(), serr.String(), code}
}

// runOK runs a container that must exit 0 and returns its stdout.
func (e *env) runOK(id string, spec *specs.Spec) string {
	e.t.Helper()
	r := e.run(id, spec)
	if r.code != 0 {
		e.t.Fatalf("container exited %d; stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

func pipe(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// sh runs a shell script in the container.
func sh(script string) []string { return []string{"/bin/sh", "-c", script} }

// lines turns "key=value" output lines into a map.
func lines(out string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
