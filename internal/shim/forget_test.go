package shim_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/berthproject/berth/internal/shim"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestDeleteExec: a finished exec, once forgotten, leaves no record in
// the shim (State says NotFound, no exit file); a running one is refused.
// Many execs run and forgotten leave nothing behind.
func TestDeleteExec(t *testing.T) {
	e := newEnv(t)
	id := e.run("sleep", "1000")
	execFiles := func() []string {
		files, _ := filepath.Glob(filepath.Join(e.opts.StateDir, "containers", id, "exec-*.json"))
		return files
	}
	long := &specs.Process{Args: []string{"sleep", "1000"}, Cwd: "/", Env: []string{"PATH=/bin"}}
	if _, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: id + "-long", Process: long}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteExec(e.ctx, id+"-long"); !errors.Is(err, errdefs.ErrFailedPrecondition) {
		t.Fatalf("DeleteExec of a running exec: %v, want failed precondition", err)
	}
	if err := e.c.DeleteExec(e.ctx, "no-such-exec"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("DeleteExec of an unknown exec: %v, want not found", err)
	}
	quick := &specs.Process{Args: []string{"true"}, Cwd: "/", Env: []string{"PATH=/bin"}}
	for i := 0; i < 50; i++ {
		eid := fmt.Sprintf("%s-q%d", id, i)
		if _, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: eid, Process: quick}); err != nil {
			t.Fatal(err)
		}
		if st := e.wait(eid); st.ExitCode != 0 {
			t.Fatalf("exec %s: %+v", eid, st)
		}
		if err := e.c.DeleteExec(e.ctx, eid); err != nil {
			t.Fatalf("DeleteExec %s: %v", eid, err)
		}
		if _, err := e.c.State(e.ctx, eid); !errors.Is(err, errdefs.ErrNotFound) {
			t.Fatalf("State of a forgotten exec: %v, want not found", err)
		}
	}
	if files := execFiles(); len(files) != 0 {
		t.Fatalf("exit records left after 50 forgotten execs: %v", files)
	}
	// The container and its running exec are unaffected.
	if st, err := e.c.State(e.ctx, id+"-long"); err != nil || st.Status != shim.StatusRunning {
		t.Fatalf("the running exec: %+v %v", st, err)
	}
	// An exec ID is free again once forgotten.
	if _, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: id + "-q0", Process: quick}); err != nil {
		t.Fatalf("reuse a forgotten exec ID: %v", err)
	}
	e.wait(id + "-q0")
}
