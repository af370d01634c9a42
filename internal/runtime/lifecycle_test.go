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
	"golang.org/x/sys/unix"
)

// startSleeper creates and starts a long-running container and returns its
// host pid; it is deleted at cleanup.
func (e *env) startSleeper(id string, spec *specs.Spec) int {
	e.t.Helper()
	if err := e.create(id, spec, nil, nil); err != nil {
		e.t.Fatalf("create %s: %v", id, err)
	}
	if err := e.rt.Start(context.Background(), id); err != nil {
		e.t.Fatalf("start %s: %v", id, err)
	}
	st, err := e.rt.State(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		_ = e.rt.Kill(context.Background(), id, unix.SIGKILL, true)
		_, _ = runtime.Wait(st.Pid)
	})
	return st.Pid
}

func TestLifecycleAndExec(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, spec := e.spec("sleep", "60")
	if err := e.create(id, spec, nil, nil); err != nil {
		t.Fatal(err)
	}
	st, err := e.rt.State(ctx, id)
	if err != nil || st.Status != specs.StateCreated || st.Pid == 0 {
		t.Fatalf("after create: %+v, %v", st, err)
	}
	if err := e.rt.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if st, _ = e.rt.State(ctx, id); st.Status != specs.StateRunning {
		t.Fatalf("after start: status %s", st.Status)
	}
	if err := e.rt.Start(ctx, id); err == nil {
		t.Error("a second start succeeded")
	}
	if err := e.rt.Delete(ctx, id, false); err == nil {
		t.Error("delete of a running container without force succeeded")
	}

	outR, outW := pipe(t)
	p := &specs.Process{Args: sh(`echo pid=$$; echo host=$(hostname); echo init=$(cat /proc/1/cmdline | tr '\0' ' ')`), Env: []string{"PATH=/bin"}, Cwd: "/"}
	pid, err := e.rt.Exec(ctx, id, p, runtime.ExecOpts{Stdout: outW})
	outW.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(outR)
	if code, err := runtime.Wait(pid); err != nil || code != 0 {
		t.Fatalf("exec exited %d, %v", code, err)
	}
	got := lines(string(out))
	if got["host"] != "bbox" || got["init"] != "sleep 60" || got["pid"] == "1" {
		t.Errorf("exec saw %q", out)
	}

	pids, err := e.rt.Ps(ctx, id)
	if err != nil || len(pids) != 1 || pids[0] != st.Pid {
		t.Errorf("ps = %v, %v; want [%d]", pids, err, st.Pid)
	}
	limit := int64(7)
	if err := e.rt.Update(ctx, id, &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: &limit}}); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(testutil.CgroupFile(id, "pids", "pids.max")); err != nil || strings.TrimSpace(string(data)) != "7" {
		t.Errorf("pids.max after update: %q, %v", data, err)
	}
	if err := e.rt.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	if st, _ = e.rt.State(ctx, id); st.Status != "paused" {
		t.Errorf("after pause: %s", st.Status)
	}
	if err := e.rt.Resume(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := e.rt.Kill(ctx, id, unix.SIGKILL, false); err != nil {
		t.Fatal(err)
	}
	if code, _ := runtime.Wait(st.Pid); code != 128+9 {
		t.Errorf("killed init exit code %d", code)
	}
	if st, _ = e.rt.State(ctx, id); st.Status != specs.StateStopped {
		t.Errorf("after kill: %s", st.Status)
	}
	if err := e.rt.Delete(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("/sys/fs/cgroup/pids/berth-test", id)); err == nil {
		t.Error("cgroup left behind after delete")
	}
	if list, _ := e.rt.List(ctx); len(list) != 0 {
		t.Errorf("list after delete: %v", list)
	}
}

// TestJoinNamespaces is the pod pattern: a second container joins the
// first one's user, network, uts and pid namespaces by path.
func TestJoinNamespaces(t *testing.T) {
	e := newEnv(t)
	infraID, infra := e.spec("sleep", "60")
	infra.Hostname = "infra"
	infra.Linux.Namespaces = append(infra.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	infra.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 200000, Size: 65536}}
	infra.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 200000, Size: 65536}}
	pid := e.startSleeper(infraID, infra)

	id, spec := e.spec(sh(`echo net=$(readlink /proc/self/ns/net); echo host=$(hostname); echo init=$(cat /proc/1/cmdline | tr '\0' ' '); echo uidmap=$(echo $(cat /proc/self/uid_map))`)...)
	spec.Hostname = ""
	ns := func(t specs.LinuxNamespaceType, name string) specs.LinuxNamespace {
		return specs.LinuxNamespace{Type: t, Path: fmt.Sprintf("/proc/%d/ns/%s", pid, name)}
	}
	spec.Linux.Namespaces = []specs.LinuxNamespace{
		ns(specs.UserNamespace, "user"), ns(specs.NetworkNamespace, "net"), ns(specs.UTSNamespace, "uts"), ns(specs.PIDNamespace, "pid"),
		{Type: specs.MountNamespace}, {Type: specs.IPCNamespace},
	}
	wantNet, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	got := lines(e.runOK(id, spec))
	want := map[string]string{"net": wantNet, "host": "infra", "init": "sleep 60", "uidmap": "0 200000 65536"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// TestJoinUserNamespaceNewPid: a pod container in the pod's user and
// network namespaces but with a pid namespace of its own, owned by the
// pod's user namespace (so that it can mount /proc).
func TestJoinUserNamespaceNewPid(t *testing.T) {
	e := newEnv(t)
	infraID, infra := e.spec("sleep", "60")
	infra.Linux.Namespaces = append(infra.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	infra.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 300000, Size: 65536}}
	infra.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 300000, Size: 65536}}
	pid := e.startSleeper(infraID, infra)

	id, spec := e.spec(sh(`echo pid=$$; echo sleepers=$(ps -o comm | grep -c "^sleep$"); echo uidmap=$(echo $(cat /proc/self/uid_map)); echo net=$(readlink /proc/self/ns/net)`)...)
	spec.Linux.Namespaces = []specs.LinuxNamespace{
		{Type: specs.UserNamespace, Path: fmt.Sprintf("/proc/%d/ns/user", pid)},
		{Type: specs.NetworkNamespace, Path: fmt.Sprintf("/proc/%d/ns/net", pid)},
		{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.IPCNamespace}, {Type: specs.UTSNamespace},
	}
	wantNet, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	got := lines(e.runOK(id, spec))
	want := map[string]string{"pid": "1", "sleepers": "0", "uidmap": "0 300000 65536", "net": wantNet}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestHooks(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	hook := func(name string) specs.Hook {
		return specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "cat > " + filepath.Join(dir, name)}}
	}
	id, spec := e.spec("cat", "/tmp/started")
	spec.Hooks = &specs.Hooks{
		CreateRuntime:   []specs.Hook{hook("createRuntime")},
		CreateContainer: []specs.Hook{hook("createContainer")},
		// Runs in the container: its path and its effect are inside.
		StartContainer: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "echo started-by-hook > /tmp/started"}}},
		Poststart:      []specs.Hook{hook("poststart")},
		Poststop:       []specs.Hook{hook("poststop")},
	}
	if out := e.runOK(id, spec); out != "started-by-hook\n" {
		t.Errorf("container printed %q", out)
	}
	for _, name := range []string{"createRuntime", "createContainer", "poststart", "poststop"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s hook did not run: %v", name, err)
			continue
		}
		if !bytes.Contains(data, []byte(`"id":"`+id+`"`)) {
			t.Errorf("%s hook got state %s", name, data)
		}
	}
}

func TestHookTimeoutLeavesNothing(t *testing.T) {
	e := newEnv(t)
	id, spec := e.spec("true")
	one := 1
	spec.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{{Path: "/bin/sleep", Args: []string{"sleep", "10"}, Timeout: &one}}}
	err := e.create(id, spec, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("create = %v, want a hook timeout", err)
	}
	e.assertNothingLeft(id)
}

func TestConsoleSocket(t *testing.T) {
	e := newEnv(t)
	id, spec := e.spec(sh("tty; echo tty-ok")...)
	spec.Process.Terminal = true
	if out := e.runOnConsole(id, spec); !strings.Contains(out, "/dev/pts/0") || !strings.Contains(out, "tty-ok") {
		t.Errorf("terminal output %q", out)
	}
}

// TestOOMKillCounted: a container that outgrows its memory limit is killed,
// and the kill shows in OOMKills (and `berth-runc events`).
func TestOOMKillCounted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, spec := e.spec(sh(`x=$(head -c 100000000 /dev/zero | tr '\0' a); echo survived`)...)
	limit := int64(16 << 20)
	mem := &specs.LinuxMemory{Limit: &limit}
	if _, err := os.Stat("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"); err == nil {
		mem.Swap = &limit // no escape into swap (v1 with swap accounting)
	}
	spec.Linux.Resources = &specs.LinuxResources{Memory: mem}
	if err := e.create(id, spec, nil, nil); err != nil {
		t.Fatal(err)
	}
	st, _ := e.rt.State(ctx, id)
	if err := e.rt.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	_, _ = runtime.Wait(st.Pid)
	n, err := e.rt.OOMKills(ctx, id)
	if err != nil || n == 0 {
		t.Errorf("OOM kills = %d, %v; want at least one", n, err)
	}
}
