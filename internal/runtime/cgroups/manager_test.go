package cgroups

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestLimitsAndUpdate(t *testing.T) {
	requireRoot(t)
	m := newTestManager(t, &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr(int64(64 << 20))},
		CPU:    &specs.LinuxCPU{Quota: ptr(int64(50000)), Period: ptr(uint64(100000)), Cpus: "0", Mems: "0"},
		Pids:   &specs.LinuxPids{Limit: ptr(int64(20))},
	})
	requireControllers(t, m, "memory", "cpu", "cpuset", "pids")
	sleep := startSleep(t)
	pid := sleep.Process.Pid
	if err := m.Apply(pid); err != nil {
		t.Fatal(err)
	}

	own, err := os.ReadFile("/proc/" + itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(own), ":"+m.Path()+"\n") {
		t.Errorf("/proc/%d/cgroup does not name %s:\n%s", pid, m.Path(), own)
	}
	checks := []struct{ ctrl, v1, v2, want string }{
		{"memory", "memory.limit_in_bytes", "memory.max", "67108864"},
		{"cpu", "cpu.cfs_quota_us", "cpu.max", map[bool]string{false: "50000", true: "50000 100000"}[onV2()]},
		{"cpuset", "cpuset.cpus", "cpuset.cpus", "0"},
		{"pids", "pids.max", "pids.max", "20"},
	}
	for _, c := range checks {
		if got := readFile(t, m, c.ctrl, c.v1, c.v2); got != c.want {
			t.Errorf("%s = %q, want %q", c.v1, got, c.want)
		}
	}

	// A later command (update) re-opens the cgroup from the saved state.
	state, err := m.State()
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.Set(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(96 << 20))}}); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, loaded, "memory", "memory.limit_in_bytes", "memory.max"); got != "100663296" {
		t.Errorf("memory limit after update = %s, want 100663296", got)
	}
	if got := readFile(t, loaded, "pids", "pids.max", "pids.max"); got != "20" {
		t.Errorf("pids.max after a memory-only update = %s, want it kept at 20", got)
	}
	if pids, _ := loaded.Pids(); !slices.Contains(pids, pid) {
		t.Errorf("loaded Pids() = %v, want it to contain %d", pids, pid)
	}
}

func TestFreezeThawDestroy(t *testing.T) {
	requireRoot(t)
	m := newTestManager(t, nil)
	sleep := startSleep(t)
	pid := sleep.Process.Pid
	if err := m.Apply(pid); err != nil {
		t.Fatal(err)
	}
	pids, err := m.Pids()
	if err != nil || !slices.Contains(pids, pid) {
		t.Errorf("Pids() = %v, %v; want it to contain %d", pids, err, pid)
	}

	if err := m.Freeze(); err != nil {
		t.Fatal(err)
	}
	if got := freezerState(t, m); got != "frozen" {
		t.Errorf("after Freeze the cgroup is %s", got)
	}
	if frozen, err := m.Frozen(); err != nil || !frozen {
		t.Errorf("Frozen() = %v, %v after Freeze", frozen, err)
	}
	if st := procState(t, pid); st != "S" && st != "D" {
		t.Errorf("frozen process state %q, want sleeping", st)
	}
	if err := m.Thaw(); err != nil {
		t.Fatal(err)
	}
	if got := freezerState(t, m); got != "thawed" {
		t.Errorf("after Thaw the cgroup is %s", got)
	}

	_ = sleep.Process.Kill()
	_ = sleep.Wait()
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	for ctrl, p := range m.Paths() {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("after Destroy %s cgroup %s: stat err = %v, want not exist", ctrl, p, err)
		}
	}
	if err := m.Destroy(); err != nil {
		t.Errorf("second Destroy: %v", err)
	}
}

// procState returns the one-letter state from /proc/PID/stat.
func procState(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return rest[:1]
}

func freezerState(t *testing.T, m *Manager) string {
	t.Helper()
	if onV2() {
		ev := readFile(t, m, "", "", "cgroup.events")
		if strings.Contains(ev, "frozen 1") {
			return "frozen"
		}
		return "thawed"
	}
	return strings.ToLower(readFile(t, m, "freezer", "freezer.state", ""))
}

func TestDeviceRules(t *testing.T) {
	requireRoot(t)
	// Deny everything: the default rules keep /dev/null usable, /dev/kmsg is refused.
	m := newTestManager(t, &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}})
	cmd := exec.Command("sh", "-c", `read _; : >/dev/null && echo null-ok; (: >/dev/kmsg) 2>/dev/null && echo kmsg-ok || echo kmsg-denied`)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	release := startWaiting(t, cmd)
	if err := m.Apply(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	if !onV2() {
		list := readFile(t, m, "devices", "devices.list", "")
		if strings.Contains(list, "a *:* rwm") || !strings.Contains(list, "c 1:3 rwm") {
			t.Errorf("devices.list = %q, want an allowlist with c 1:3 rwm", list)
		}
	}
	release()
	_ = cmd.Wait()
	if got := out.String(); !strings.Contains(got, "null-ok") || !strings.Contains(got, "kmsg-denied") {
		t.Errorf("in the cgroup: %q, want /dev/null usable and /dev/kmsg denied", got)
	}
}

func TestOOMKillCount(t *testing.T) {
	requireRoot(t)
	limit := int64(32 << 20)
	m := newTestManager(t, &specs.LinuxResources{
		// memory+swap equal to memory: the hog cannot escape into swap.
		Memory: &specs.LinuxMemory{Limit: &limit, Swap: &limit},
	})
	requireControllers(t, m, "memory")
	hog := exec.Command(os.Args[0], "-test.run=^$")
	hog.Env = append(os.Environ(), helperEnv+"=hog")
	release := startWaiting(t, hog)
	if err := m.Apply(hog.Process.Pid); err != nil {
		t.Fatal(err)
	}
	if n, err := m.OOMKillCount(); err != nil || n != 0 {
		t.Fatalf("OOMKillCount before = %d, %v; want 0", n, err)
	}
	release()
	err := hog.Wait()
	if err == nil {
		t.Fatal("the memory hog exited normally under a 32 MiB limit")
	}
	if n, err := m.OOMKillCount(); err != nil || n < 1 {
		t.Errorf("OOMKillCount after the hog was killed (%v) = %d, %v; want >= 1", hog.ProcessState, n, err)
	}
}

func TestBadInputLeavesNothing(t *testing.T) {
	requireRoot(t)
	if _, err := New("../escape", nil); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("New(../escape): %v, want InvalidArgument", err)
	}
	if !onV2() {
		_, err := New("/berth-test-unified", &specs.LinuxResources{Unified: map[string]string{"memory.high": "1"}})
		if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("unified on a v1 host: %v, want InvalidArgument", err)
		}
	}
	// A cpuset naming a CPU the host lacks is rejected by the kernel at Apply:
	// the cgroup must not survive.
	m := newTestManager(t, &specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "999"}})
	sleep := startSleep(t)
	if err := m.Apply(sleep.Process.Pid); err == nil {
		t.Fatal("Apply with cpuset 999 succeeded")
	}
	for ctrl, p := range m.Paths() {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("after a failed Apply the %s cgroup %s remains (stat: %v)", ctrl, p, err)
		}
	}
	own, _ := os.ReadFile("/proc/" + itoa(sleep.Process.Pid) + "/cgroup")
	if strings.Contains(string(own), m.Path()) {
		t.Errorf("the process joined %s although Apply failed:\n%s", m.Path(), own)
	}
}

func TestLoadRejectsGarbage(t *testing.T) {
	for _, s := range []string{`{`, `{}`, `{"path":"/x"}`} {
		if _, err := Load([]byte(s)); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("Load(%s) = %v, want InvalidArgument", s, err)
		}
	}
}

func TestApplyRefusesABusyCgroupAndJoinAddsExecs(t *testing.T) {
	requireRoot(t)
	m := newTestManager(t, nil)
	first := startSleep(t)
	if err := m.Apply(first.Process.Pid); err != nil {
		t.Fatal(err)
	}
	// A second container given the same cgroupsPath must not share it.
	other, err := New(m.Path(), nil)
	if err != nil {
		t.Fatal(err)
	}
	intruder := startSleep(t)
	if err := other.Apply(intruder.Process.Pid); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("Apply to a busy cgroup: %v, want Conflict", err)
	}
	if pids, _ := m.Pids(); slices.Contains(pids, intruder.Process.Pid) {
		t.Errorf("the refused process joined the cgroup: %v", pids)
	}

	// An exec joins the running container's cgroup through a loaded Manager.
	state, err := m.State()
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(state)
	if err != nil {
		t.Fatal(err)
	}
	execd := startSleep(t)
	if err := loaded.Join(execd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	pids, err := loaded.Pids()
	if err != nil || !slices.Contains(pids, execd.Process.Pid) || !slices.Contains(pids, first.Process.Pid) {
		t.Errorf("Pids() = %v, %v; want %d and %d", pids, err, first.Process.Pid, execd.Process.Pid)
	}
	st, err := loaded.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.PidsStats.Current < 2 {
		t.Errorf("pids.current = %d, want >= 2", st.PidsStats.Current)
	}
	for _, c := range []*exec.Cmd{first, execd} {
		_ = c.Process.Kill()
		_ = c.Wait()
	}
}

func TestHugepageLimit(t *testing.T) {
	requireRoot(t)
	sizes := hugePageSizes()
	if len(sizes) == 0 {
		t.Skip("this host has no huge pages")
	}
	size := sizes[0]
	m := newTestManager(t, &specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: size, Limit: 8 << 30}}})
	sleep := startSleep(t)
	if err := m.Apply(sleep.Process.Pid); err != nil {
		t.Fatal(err)
	}
	// v1 hugetlb, or the unified hierarchy (pure v2, or hybrid hosts that
	// leave hugetlb to cgroup2 as this one does).
	file := filepath.Join(m.Paths()["hugetlb"], "hugetlb."+size+".limit_in_bytes")
	if m.Paths()["hugetlb"] == "" {
		file = filepath.Join(m.Paths()[""], "hugetlb."+size+".max")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != "8589934592" {
		t.Errorf("%s = %s, want 8589934592", file, got)
	}
}

func TestSignalKillsEveryProcessEvenWhenPaused(t *testing.T) {
	requireRoot(t)
	m := newTestManager(t, nil)
	first := startSleep(t)
	if err := m.Apply(first.Process.Pid); err != nil {
		t.Fatal(err)
	}
	second := startSleep(t)
	if err := m.Join(second.Process.Pid); err != nil {
		t.Fatal(err)
	}
	// SIGCONT changes nothing for sleep: the signal must not break the cgroup.
	if err := m.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if frozen, _ := m.Frozen(); frozen {
		t.Error("Signal left a running cgroup frozen")
	}
	if err := m.Freeze(); err != nil { // a paused container
		t.Fatal(err)
	}
	if err := m.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*exec.Cmd{first, second} {
		err := c.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Errorf("pid %d ended with %v, want SIGKILL", c.Process.Pid, err)
		}
	}
	if pids, err := m.Pids(); err != nil || len(pids) != 0 {
		t.Errorf("Pids() after SIGKILL = %v, %v; want none", pids, err)
	}
}
