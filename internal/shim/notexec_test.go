package shim_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/shim"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A binary that exists but cannot be executed (no execute bit, a
// directory) is told apart from a missing one across the shim's socket:
// Docker answers 126 for it, 127 for a missing one.
func TestNotExecutableBinaryIs126(t *testing.T) {
	e := newEnv(t)
	for _, cmd := range []string{"/etc/passwd", "/etc"} {
		_, req := e.create(false, cmd)
		_, err := e.c.Create(e.ctx, req)
		if !errors.Is(err, shim.ErrExecutableNotExecutable) || !errors.Is(err, errdefs.ErrPermissionDenied) {
			t.Errorf("create with %s as the command: %v, want ErrExecutableNotExecutable (Docker's 126)", cmd, err)
		}
		if errors.Is(err, shim.ErrExecutableNotFound) || errors.Is(err, errdefs.ErrNotFound) {
			t.Errorf("create with %s as the command: %v also matches not found", cmd, err)
		}
		if err != nil && !strings.Contains(err.Error(), cmd) {
			t.Errorf("error does not name %s: %v", cmd, err)
		}
	}
	if list, _ := e.c.List(e.ctx); len(list) != 0 {
		t.Errorf("failed creates left %+v", list)
	}

	// The same for an exec in a running container.
	id := e.run("sleep", "30")
	bad := &specs.Process{Args: []string{"/etc/passwd"}, Cwd: "/", Env: []string{"PATH=/bin"}}
	if _, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: id + "-x", Process: bad}); !errors.Is(err, shim.ErrExecutableNotExecutable) {
		t.Errorf("exec of a file without execute permission: %v", err)
	}
}
