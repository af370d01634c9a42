// Package runtime holds black-box tests of the berth-runc binary: runc's
// command-line contract, and podman driving it as its OCI runtime.
package runtime

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/berthproject/berth/internal/runtime/testutil"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// berthRunc is the binary under test: $BERTH_BINDIR/berth-runc, or one built
// for this run.
var berthRunc string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		defer testutil.RemoveCgroupParents()
		if dir := os.Getenv("BERTH_BINDIR"); dir != "" {
			berthRunc = filepath.Join(dir, "berth-runc")
			return m.Run()
		}
		tmp, err := os.MkdirTemp("", "berth-runc-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(tmp)
		// Reachable by podman's conmon and by containers with a user ns.
		_ = os.Chmod(tmp, 0o755)
		berthRunc = filepath.Join(tmp, "berth-runc")
		build := exec.Command("go", "build", "-o", berthRunc, "github.com/berthproject/berth/cmd/berth-runc")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build berth-runc:", err)
			return 1
		}
		return m.Run()
	}())
}

// rig is one test's state root and busybox rootfs.
type rig struct {
	t      *testing.T
	root   string
	rootfs string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	testutil.NeedRoot(t)
	dir := t.TempDir()
	// Reachable by a container's root mapped to another host uid.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r := &rig{t: t, root: filepath.Join(dir, "state"), rootfs: filepath.Join(dir, "rootfs")}
	if err := testutil.MakeRootfs(r.rootfs); err != nil {
		t.Fatal(err)
	}
	return r
}

// bundle writes a bundle running args and returns its directory and id.
func (r *rig) bundle(mutate func(*specs.Spec), args ...string) (string, string) {
	r.t.Helper()
	id := testutil.UniqueID("cli")
	spec := testutil.Spec(r.rootfs, id, args...)
	if mutate != nil {
		mutate(spec)
	}
	dir := r.t.TempDir()
	if err := testutil.WriteBundle(dir, spec); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { _ = exec.Command(berthRunc, "--root", r.root, "delete", "--force", id).Run() })
	return dir, id
}

// brc runs berth-runc with the rig's root and returns stdout, stderr and
// the exit code.
func (r *rig) brc(args ...string) (string, string, int) {
	r.t.Helper()
	cmd := exec.Command(berthRunc, append([]string{"--root", r.root}, args...)...)
	// Files, not pipes: a created container keeps its stdio open, and
	// Wait would block on a pipe until the container exits.
	outF, errF := r.tempFile(), r.tempFile()
	cmd.Stdout, cmd.Stderr = outF, errF
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		r.t.Fatalf("berth-runc %v: %v", args, err)
	}
	out, _ := os.ReadFile(outF.Name())
	errb, _ := os.ReadFile(errF.Name())
	return string(out), string(errb), code
}

func (r *rig) tempFile() *os.File {
	r.t.Helper()
	f, err := os.CreateTemp(r.t.TempDir(), "out")
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { f.Close() })
	return f
}
