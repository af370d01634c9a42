package runtime_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/runtime"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The init is born in its cgroups (clone3 into the v2 one, a write of "0"
// to each v1 hierarchy's tasks file by its single-threaded constructor):
// every thread of it, and every process exec'd later, must sit in the
// container's cgroup in every hierarchy.
func TestInitAndExecAreInTheContainersCgroups(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, spec := e.spec("sleep", "60")
	if err := e.create(id, spec, nil, nil); err != nil {
		t.Fatal(err)
	}
	st, err := e.rt.State(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	// Before start the init is the runtime's Go process, with its threads.
	tasks, err := filepath.Glob("/proc/" + strconv.Itoa(st.Pid) + "/task/*/cgroup")
	if err != nil || len(tasks) < 2 {
		t.Fatalf("threads of the created init: %v, %v", tasks, err)
	}
	for _, f := range tasks {
		checkCgroupFile(t, f, spec.Linux.CgroupsPath)
	}
	if err := e.rt.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	checkCgroupFile(t, "/proc/"+strconv.Itoa(st.Pid)+"/cgroup", spec.Linux.CgroupsPath)

	pid, err := e.rt.Exec(ctx, id, &specs.Process{Args: []string{"sleep", "30"}, Env: []string{"PATH=/bin"}, Cwd: "/"}, runtime.ExecOpts{})
	if err != nil {
		t.Fatal(err)
	}
	checkCgroupFile(t, "/proc/"+strconv.Itoa(pid)+"/cgroup", spec.Linux.CgroupsPath)
	pids, err := e.rt.Ps(ctx, id)
	if err != nil || len(pids) != 2 {
		t.Errorf("ps lists %v (%v), want the init and the exec", pids, err)
	}
	_ = e.rt.Kill(ctx, id, 9, true)
	_, _ = runtime.Wait(pid)
	_, _ = runtime.Wait(st.Pid)
}

// checkCgroupFile wants every hierarchy of a /proc/…/cgroup file at path.
func checkCgroupFile(t *testing.T, file, path string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || parts[1] == "misc" {
			continue
		}
		if parts[2] != path {
			t.Errorf("%s: %q, want the container's cgroup %s", file, line, path)
		}
	}
}
