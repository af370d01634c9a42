package shim_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/berthproject/berth/internal/runtime"
	"github.com/berthproject/berth/internal/shim"
	"github.com/containerd/errdefs"
)

func TestBadInputLeavesNothing(t *testing.T) {
	e := newEnv(t)
	_, good := e.create(false, "true")
	cases := []struct {
		name string
		edit func(*shim.CreateRequest)
		want error
	}{
		{"path in ID", func(r *shim.CreateRequest) { r.ID = "../escape" }, errdefs.ErrInvalidArgument},
		{"empty ID", func(r *shim.CreateRequest) { r.ID = "" }, errdefs.ErrInvalidArgument},
		{"no bundle", func(r *shim.CreateRequest) { r.Bundle = "" }, errdefs.ErrInvalidArgument},
		{"bundle without config", func(r *shim.CreateRequest) { r.Bundle = t.TempDir() }, errdefs.ErrInvalidArgument},
		{"unknown log driver", func(r *shim.CreateRequest) { r.Log.Driver = "syslog" }, errdefs.ErrInvalidArgument},
		{"negative max-size", func(r *shim.CreateRequest) { r.Log.MaxSize = -1 }, errdefs.ErrInvalidArgument},
		{"json-file without a path", func(r *shim.CreateRequest) { r.Log.Path = "" }, errdefs.ErrInvalidArgument},
	}
	for _, c := range cases {
		req := good
		c.edit(&req)
		if _, err := e.c.Create(e.ctx, req); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if list, _ := e.c.List(e.ctx); len(list) != 0 {
		t.Errorf("bad creates left %+v", list)
	}
	if entries, _ := os.ReadDir(filepath.Join(e.opts.StateDir, "containers")); len(entries) != 0 {
		t.Errorf("bad creates left records: %v", entries)
	}
	if states, _ := e.rt.List(e.ctx); len(states) != 0 {
		t.Errorf("bad creates left runtime state: %v", states)
	}

	// Unknown IDs are "not found" for every operation.
	for name, err := range map[string]error{
		"start":  e.c.Start(e.ctx, "unknown"),
		"kill":   e.c.Kill(e.ctx, "unknown", syscall.SIGTERM, false),
		"delete": e.c.Delete(e.ctx, "unknown"),
		"pause":  e.c.Pause(e.ctx, "unknown"),
		"resize": e.c.Resize(e.ctx, "unknown", 1, 1),
	} {
		if !errors.Is(err, errdefs.ErrNotFound) {
			t.Errorf("%s of an unknown container: %v", name, err)
		}
	}
	if _, err := e.c.Wait(e.ctx, "unknown"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("wait: %v", err)
	}
	if _, err := e.c.Attach(e.ctx, "unknown", shim.AttachOptions{Stdout: true}); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("attach: %v", err)
	}

	// A duplicate ID is refused; a running container is not deleted.
	id := e.run("sleep", "1000")
	dup := good
	dup.ID = id
	if _, err := e.c.Create(e.ctx, dup); !errors.Is(err, errdefs.ErrAlreadyExists) {
		t.Errorf("duplicate ID: %v", err)
	}
	if err := e.c.Delete(e.ctx, id); !errors.Is(err, errdefs.ErrFailedPrecondition) {
		t.Errorf("delete of a running container: %v", err)
	}
	if st, _ := e.c.State(e.ctx, id); st.Status != shim.StatusRunning {
		t.Errorf("refused delete touched the container: %+v", st)
	}
	if err := e.c.Start(e.ctx, id); !errors.Is(err, errdefs.ErrFailedPrecondition) {
		t.Errorf("second start: %v", err)
	}
}

func TestDeleteCreatedContainer(t *testing.T) {
	e := newEnv(t)
	id, req := e.create(false, "true")
	e.mustCreate(req)
	if st, _ := e.c.State(e.ctx, id); st.Status != shim.StatusCreated {
		t.Fatalf("state %+v, want created", st)
	}
	if err := e.c.Delete(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.State(e.ctx, id); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if _, err := e.rt.State(e.ctx, id); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("runtime still has it: %v", err)
	}
}

func TestLaunch(t *testing.T) {
	needRoot(t)
	ctx := context.Background()
	if _, err := shim.Launch(ctx, shim.Options{}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("no dirs: %v", err)
	}
	dir := t.TempDir()
	_, err := shim.Launch(ctx, shim.Options{Binary: filepath.Join(dir, "missing"), StateDir: filepath.Join(dir, "s"), RuntimeRoot: filepath.Join(dir, "r")})
	if err == nil {
		t.Error("launch of a missing binary succeeded")
	}
	// Racing launchers end up with one shim.
	e := &env{t: t, ctx: ctx, opts: shim.Options{Binary: self(), StateDir: filepath.Join(dir, "shim"), RuntimeRoot: filepath.Join(dir, "rt")}}
	e.rt = runtime.New(e.opts.RuntimeRoot)
	t.Cleanup(e.cleanup)
	pids := make([]int, 4)
	var wg sync.WaitGroup
	for i := range pids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := shim.Launch(ctx, e.opts)
			if err != nil {
				t.Error(err)
				return
			}
			pids[i], _ = c.Pid(ctx)
		}()
	}
	wg.Wait()
	for _, p := range pids {
		if p == 0 || p != pids[0] {
			t.Fatalf("racing launches: shim pids %v", pids)
		}
	}
}
