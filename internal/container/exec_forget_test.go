package container

import (
	"errors"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
)

// TestExecInstancesLiveForTheirContainersRun: an exec instance can be
// inspected while its container's run lasts and after it stops; once the
// container starts again (a new StartedAt) or is removed, its finished
// execs are forgotten, and one that still runs is hidden at once and
// forgotten when it ends.
func TestExecInstancesLiveForTheirContainersRun(t *testing.T) {
	run1 := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	c := &entry{c: Container{ID: "c1", State: State{Status: containertypes.StateRunning, StartedAt: run1}}}
	other := &entry{c: Container{ID: "c2", State: State{Status: containertypes.StateRunning, StartedAt: run1}}}
	s := &Service{byID: map[string]*entry{"c1": c, "c2": other}, execs: map[string]*execEntry{}}
	code := 0
	add := func(id, cid string, finished bool) *execEntry {
		x := &execEntry{id: id, containerID: cid, run: run1, done: make(chan struct{})}
		if finished {
			x.exitCode = &code
		}
		s.execs[id] = x
		return x
	}
	add("done", "c1", true)
	running := add("running", "c1", false)
	add("elsewhere", "c2", true)
	found := func(id string) bool {
		t.Helper()
		_, err := s.execByID(id)
		if err != nil && !errors.Is(err, errdefs.ErrNotFound) {
			t.Fatalf("execByID %s: %v", id, err)
		}
		return err == nil
	}
	known := func(id string) bool { _, ok := s.execs[id]; return ok }

	c.c.State.Status = containertypes.StateExited
	if !found("done") || !found("running") {
		t.Fatal("the execs of a stopped container's last run are not inspectable")
	}

	c.c.State = State{Status: containertypes.StateRunning, StartedAt: run1.Add(time.Minute)}
	if found("done") || found("running") {
		t.Error("an exec of the container's previous run is still found after it started again")
	}
	if known("done") {
		t.Error("a finished exec of a previous run is still held after a lookup")
	}
	if !known("running") {
		t.Error("an exec of a previous run that still runs was dropped before it ended")
	}
	running.exitCode = &code
	s.sweepExecsLocked()
	if known("running") {
		t.Error("an exec of a previous run is still held after it ended and a sweep")
	}
	if !found("elsewhere") {
		t.Error("another container's exec was forgotten")
	}

	other.removed = true
	s.sweepExecsLocked()
	if known("elsewhere") {
		t.Error("the exec of a removed container is still held after a sweep")
	}
}
