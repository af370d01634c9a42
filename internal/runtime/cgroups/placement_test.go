package cgroups

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A process started with the placement handles is born in the cgroup (v2,
// CLONE_INTO_CGROUP) and moves itself into the v1 hierarchies by writing
// "0" to the tasks files while single-threaded (bash here: dash cannot
// redirect fds above 9).
func TestCreateThenPlaceAProcessAtItsStart(t *testing.T) {
	requireRoot(t)
	m := newTestManager(t, &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(20))}})
	requireControllers(t, m, "pids")
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, m, "pids", "pids.max", "pids.max"); got != "20" {
		t.Errorf("pids.max after Create = %q, want 20", got)
	}
	if pids, err := m.Pids(); err != nil || len(pids) != 0 {
		t.Fatalf("a created cgroup holds %v (%v), want no process", pids, err)
	}
	p, err := m.OpenPlacement()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Unified == nil && len(p.Tasks) == 0 {
		t.Fatal("no placement handle at all")
	}

	script := ""
	for i := range p.Tasks {
		script += "echo 0 >&" + itoa(3+i) + " && "
	}
	cmd := exec.Command("bash", "-c", script+"exec cat /proc/self/cgroup")
	cmd.ExtraFiles = p.Tasks
	if p.Unified != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(p.Unified.Fd())}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// Every hierarchy line of the process names the container's cgroup.
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || parts[1] == "misc" {
			continue
		}
		if parts[2] != m.Path() {
			t.Errorf("/proc/self/cgroup line %q, want path %s", line, m.Path())
		}
	}
}

func TestCreateRefusesABusyCgroup(t *testing.T) {
	requireRoot(t)
	m := newTestManager(t, nil)
	if err := m.Apply(startSleep(t).Process.Pid); err != nil {
		t.Fatal(err)
	}
	other, err := New(m.Path(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Create(); !errors.Is(err, errdefs.ErrConflict) {
		t.Fatalf("Create of a cgroup with processes: %v, want a conflict", err)
	}
	for _, dir := range m.Paths() {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("the refused Create removed the other container's cgroup: %v", err)
		}
	}
}

func TestPlacementNeedsCreate(t *testing.T) {
	requireRoot(t)
	m := newTestManager(t, nil)
	if _, err := m.OpenPlacement(); err == nil {
		t.Fatal("OpenPlacement before Create succeeded")
	}
}

// CreateUnified makes the v2 directory first (all of the cgroup on a pure
// v2 host); Create completes the rest and accepts what exists.
func TestCreateUnifiedThenCreate(t *testing.T) {
	requireRoot(t)
	m := newTestManager(t, &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr(int64(30))}})
	dir, err := m.CreateUnified()
	if err != nil {
		t.Fatal(err)
	}
	if v2 := m.Paths()[""]; v2 != "" {
		if dir == nil {
			t.Fatalf("no directory for the v2 hierarchy %s", v2)
		}
		defer dir.Close()
		if _, err := os.Stat(v2); err != nil {
			t.Errorf("v2 cgroup not created: %v", err)
		}
	} else if dir != nil {
		t.Errorf("a v2 directory %s on a host without a v2 hierarchy", dir.Name())
	}
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	requireControllers(t, m, "pids")
	if got := readFile(t, m, "pids", "pids.max", "pids.max"); got != "30" {
		t.Errorf("pids.max = %q, want 30", got)
	}
}
