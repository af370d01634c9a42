package shim_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/berthproject/berth/internal/shim"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestForgetExecs: ForgetExecs drops an exited exec at once (record and
// exit file), spares the IDs it is told to keep, and lets a running exec
// run on, dropping it when it exits without leaving an exit file. A new
// Launch (a daemon that starts again) forgets the execs of the session
// before it; the container is untouched.
func TestForgetExecs(t *testing.T) {
	e := newEnv(t)
	id := e.run("sleep", "1000")
	execFiles := func() []string {
		files, err := filepath.Glob(filepath.Join(e.opts.StateDir, "containers", id, "exec-*.json"))
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	proc := func(args ...string) *specs.Process {
		return &specs.Process{Args: args, Cwd: "/", Env: []string{"PATH=/bin"}}
	}
	done, kept, running := id+"-done", id+"-kept", id+"-running"
	for _, x := range []string{done, kept} {
		if _, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: x, Process: proc("true")}); err != nil {
			t.Fatal(err)
		}
		e.wait(x)
	}
	if _, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: running, Process: proc("sleep", "1000")}); err != nil {
		t.Fatal(err)
	}
	if n := len(execFiles()); n != 2 {
		t.Fatalf("%d exit files before forgetting, want 2", n)
	}

	n, err := e.c.ForgetExecs(e.ctx, kept)
	if err != nil || n != 2 {
		t.Fatalf("ForgetExecs(keep %s) = %d, %v; want 2 forgotten", kept, n, err)
	}
	if _, err := e.c.State(e.ctx, done); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("State of a forgotten exited exec: %v, want not found", err)
	}
	if st, err := e.c.State(e.ctx, kept); err != nil || st.Status != shim.StatusStopped {
		t.Errorf("State of the kept exec: %+v %v, want stopped", st, err)
	}
	if st, err := e.c.State(e.ctx, running); err != nil || st.Status != shim.StatusRunning {
		t.Errorf("the forgotten running exec: %+v %v, want still running", st, err)
	}
	if files := execFiles(); len(files) != 1 || filepath.Base(files[0]) != "exec-"+kept+".json" {
		t.Errorf("exit files after forgetting: %v, want only the kept exec's", files)
	}
	if n, err := e.c.ForgetExecs(e.ctx, kept); err != nil || n != 0 {
		t.Errorf("ForgetExecs again = %d, %v; want 0 (the running one is already marked)", n, err)
	}

	// The running exec ends: it is dropped, and writes no exit file.
	if err := e.c.Kill(e.ctx, running, 9, false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, err := e.c.State(e.ctx, running); !errors.Is(err, errdefs.ErrNotFound); _, err = e.c.State(e.ctx, running) {
		if time.Now().After(deadline) {
			t.Fatalf("the forgotten exec, killed, is still known: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(execFiles()); n != 1 {
		t.Errorf("%d exit files after the forgotten exec ended, want 1 (the kept one)", n)
	}

	// A new session forgets what the last one left; the container runs on.
	e.c = e.launch()
	if _, err := e.c.State(e.ctx, kept); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("State of the last session's exec after Launch: %v, want not found", err)
	}
	if files := execFiles(); len(files) != 0 {
		t.Errorf("exit files after a new Launch: %v", files)
	}
	if st, err := e.c.State(e.ctx, id); err != nil || st.Status != shim.StatusRunning {
		t.Errorf("the container after a new Launch: %+v %v, want running", st, err)
	}
	// A new exec works, and is kept until asked to forget it.
	if _, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: done, Process: proc("true")}); err != nil {
		t.Fatalf("reuse a forgotten exec ID: %v", err)
	}
	if st := e.wait(done); st.ExitCode != 0 || len(execFiles()) != 1 {
		t.Errorf("a new exec: %+v, exit files %v", st, execFiles())
	}
}
