package shim_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berthproject/berth/internal/logfile"
	"github.com/berthproject/berth/internal/shim"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestExitCodesAndEvents(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	events, err := e.c.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ok := e.run("true")
	three := e.run("sh", "-c", "exit 3")
	sleeper := e.run("sleep", "1000")
	if st, _ := e.c.State(e.ctx, sleeper); st.Status != shim.StatusRunning || st.Pid <= 0 {
		t.Fatalf("sleeper state %+v", st)
	}
	if err := e.c.Kill(e.ctx, sleeper, syscall.SIGKILL, false); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{ok: 0, three: 3, sleeper: 137}
	for id, code := range want {
		st := e.wait(id)
		if st.Status != shim.StatusStopped || st.ExitCode != code || st.ExitedAt.IsZero() {
			t.Errorf("%s: %+v, want stopped with %d", id, st, code)
		}
	}
	got := map[string]int{}
	for len(got) < len(want) {
		ev := <-events
		if ev.Type == shim.EventExit {
			got[ev.ID] = ev.ExitCode
		}
	}
	for id, code := range want {
		if got[id] != code {
			t.Errorf("exit event of %s: %d, want %d", id, got[id], code)
		}
	}
	// A stopped container cannot be signalled; it can be deleted, then
	// it is gone.
	if err := e.c.Kill(e.ctx, ok, syscall.SIGTERM, false); !errors.Is(err, errdefs.ErrFailedPrecondition) {
		t.Errorf("kill of a stopped container: %v", err)
	}
	if err := e.c.Delete(e.ctx, ok); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.State(e.ctx, ok); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("state after delete: %v", err)
	}
	if _, err := e.rt.State(e.ctx, ok); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("runtime still has the deleted container: %v", err)
	}
}

func TestMissingBinaryIs127(t *testing.T) {
	e := newEnv(t)
	id, req := e.create(false, "/bin/no-such-binary")
	_, err := e.c.Create(e.ctx, req)
	if !errors.Is(err, shim.ErrExecutableNotFound) || !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("create with a missing binary: %v, want ErrExecutableNotFound (Docker's 127)", err)
	}
	if !strings.Contains(err.Error(), "no-such-binary") {
		t.Errorf("error does not name the binary: %v", err)
	}
	// Nothing is left: the ID is free again.
	if list, _ := e.c.List(e.ctx); len(list) != 0 {
		t.Errorf("failed create left %+v", list)
	}
	if _, err := os.Stat(filepath.Join(e.opts.StateDir, "containers", id)); !os.IsNotExist(err) {
		t.Errorf("failed create left its records: %v", err)
	}
	req2 := req
	_, req2.Bundle = e.bundle(false, "true")
	e.mustCreate(req2)
}

func TestLogsBothStreamsAndRotation(t *testing.T) {
	e := newEnv(t)
	id, req := e.create(false, "sh", "-c", "echo out; echo err >&2; i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done")
	req.Log.MaxSize, req.Log.MaxFiles = 2000, 3
	e.mustCreate(req)
	if err := e.c.Start(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	if st := e.wait(id); st.ExitCode != 0 {
		t.Fatalf("exit %d", st.ExitCode)
	}
	for _, p := range []string{req.Log.Path, req.Log.Path + ".1", req.Log.Path + ".2"} {
		if fi, err := os.Stat(p); err != nil || fi.Size() > 2000 {
			t.Errorf("log file %s: %v (size over max-size?)", p, err)
		}
	}
	// stdout only: the two streams are copied concurrently, so their
	// interleaving is not fixed.
	ch, err := logfile.Read(e.ctx, req.Log, logfile.ReadOptions{Tail: 2, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	var tail []string
	for m := range ch {
		tail = append(tail, m.Stream+":"+string(m.Line))
	}
	if strings.Join(tail, "") != "stdout:line 198\nstdout:line 199\n" {
		t.Errorf("tail of the rotated log: %q", tail)
	}
	// Both streams, in a log that does not rotate.
	id2, req2 := e.create(false, "sh", "-c", "echo to-out; echo to-err >&2")
	e.mustCreate(req2)
	if err := e.c.Start(e.ctx, id2); err != nil {
		t.Fatal(err)
	}
	e.wait(id2)
	data, err := os.ReadFile(req2.Log.Path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if !strings.Contains(s, `{"log":"to-out\n","stream":"stdout","time":"`) || !strings.Contains(s, `{"log":"to-err\n","stream":"stderr","time":"`) {
		t.Errorf("json-file log:\n%s", s)
	}
}

func TestPauseResumeKillAll(t *testing.T) {
	e := newEnv(t)
	id := e.run("sh", "-c", "sleep 1000 & sleep 1000")
	// busybox sh execs its last command: two sleeps in all.
	var pids []int
	for i := 0; i < 200; i++ {
		var err error
		if pids, err = e.c.Ps(e.ctx, id); err != nil {
			t.Fatal(err)
		}
		if len(pids) >= 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(pids) < 2 {
		t.Fatalf("ps: %v, want two sleeps", pids)
	}
	if err := e.c.Pause(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.c.State(e.ctx, id); st.Status != shim.StatusPaused {
		t.Errorf("after pause: %s", st.Status)
	}
	if err := e.c.Resume(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.c.State(e.ctx, id); st.Status != shim.StatusRunning {
		t.Errorf("after resume: %s", st.Status)
	}
	// --all reaches the background sleep too.
	if err := e.c.Kill(e.ctx, id, syscall.SIGKILL, true); err != nil {
		t.Fatal(err)
	}
	if st := e.wait(id); st.ExitCode != 137 {
		t.Errorf("after kill --all: %+v", st)
	}
	for _, p := range pids {
		if _, err := os.Stat("/proc/" + itoa(p)); err == nil {
			waitGone(p)
		}
	}
}

func TestManyContainersOneShim(t *testing.T) {
	e := newEnv(t)
	pid, err := e.c.Pid(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for i := 0; i < 8; i++ {
		ids[e.run("sh", "-c", "exit "+itoa(i))] = i
	}
	for id, code := range ids {
		if st := e.wait(id); st.ExitCode != code {
			t.Errorf("%s: exit %d, want %d", id, st.ExitCode, code)
		}
	}
	list, err := e.c.List(e.ctx)
	if err != nil || len(list) != len(ids) {
		t.Fatalf("list: %d containers, %v", len(list), err)
	}
	// One shim for all: a second Launch finds the same process.
	c2 := e.launch()
	defer c2.Close()
	if pid2, _ := c2.Pid(e.ctx); pid2 != pid {
		t.Errorf("second launch started another shim (%d, was %d)", pid2, pid)
	}
	for _, st := range list {
		if ppid := parentOf(t, st.Pid); st.Status != shim.StatusStopped && ppid != pid {
			t.Errorf("container init %d has parent %d, not the shim %d", st.Pid, ppid, pid)
		}
	}
}

func TestLogDriversAndUpdate(t *testing.T) {
	e := newEnv(t)
	id, req := e.create(false, "sh", "-c", "echo local-out; echo local-err >&2")
	req.Log.Driver = logfile.DriverLocal
	e.mustCreate(req)
	if err := e.c.Start(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	e.wait(id)
	ch, err := logfile.Read(e.ctx, req.Log, logfile.ReadOptions{Tail: -1, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for m := range ch {
		got[m.Stream] += string(m.Line)
	}
	if got["stdout"] != "local-out\n" || got["stderr"] != "local-err\n" {
		t.Errorf("local log: %q", got)
	}
	// none keeps nothing, but the container runs and its code is kept.
	id2, req2 := e.create(false, "sh", "-c", "echo dropped; exit 9")
	req2.Log = shim.LogConfig{Driver: logfile.DriverNone}
	e.mustCreate(req2)
	if err := e.c.Start(e.ctx, id2); err != nil {
		t.Fatal(err)
	}
	if st := e.wait(id2); st.ExitCode != 9 {
		t.Errorf("exit %d", st.ExitCode)
	}
	// Update reaches the container's cgroup.
	id3 := e.run("sleep", "1000")
	limit := int64(5)
	if err := e.c.Update(e.ctx, id3, &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: &limit}}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"/sys/fs/cgroup/pids/berth-test/" + id3 + "/pids.max", "/sys/fs/cgroup/berth-test/" + id3 + "/pids.max"} {
		if data, err := os.ReadFile(f); err == nil {
			if strings.TrimSpace(string(data)) != "5" {
				t.Errorf("%s = %q after update", f, data)
			}
			return
		}
	}
	t.Log("no pids controller: the update's effect is not checked")
}
