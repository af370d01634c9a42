package build_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/berthproject/berth/test/testimage"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A daemon killed mid-RUN leaves the step's container running under
// berth-runc; the next builder start deletes it: its process and state.
func TestBuilderRemovesContainersOfDeadBuilds(t *testing.T) {
	e := newEnv(t)
	bundle := t.TempDir()
	testimage.BusyboxRootfs(t, filepath.Join(bundle, "rootfs"))
	runc := func(args ...string) string {
		t.Helper()
		var stderr strings.Builder
		cmd := exec.Command(runcBin, append([]string{"--root", e.runtimeRoot()}, args...)...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("berth-runc %s: %v: %s", strings.Join(args, " "), err, stderr.String())
		}
		return string(out)
	}
	runc("spec", "--bundle", bundle)
	var spec specs.Spec
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err == nil {
		err = json.Unmarshal(data, &spec)
	}
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := "leftover-" + hex.EncodeToString(b)
	spec.Process.Args, spec.Process.Terminal = []string{"sleep", "600"}, false
	spec.Linux.CgroupsPath = "/berth-build/" + id
	if data, err = json.Marshal(spec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	// Output to a file, not a pipe: the container keeps it open.
	outFile, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer outFile.Close()
	detached := exec.Command(runcBin, "--root", e.runtimeRoot(), "run", "--detach", "--bundle", bundle, id)
	detached.Stdout, detached.Stderr = outFile, outFile
	if err := detached.Run(); err != nil {
		out, _ := os.ReadFile(outFile.Name())
		t.Fatalf("berth-runc run --detach: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(runcBin, "--root", e.runtimeRoot(), "delete", "--force", id).Run() })
	var state specs.State
	if err := json.Unmarshal([]byte(runc("state", id)), &state); err != nil || state.Pid <= 0 {
		t.Fatalf("state of the leftover container: %v %+v", err, state)
	}

	e.newBuilder()
	if cs := e.containers(); len(cs) != 0 {
		t.Errorf("containers of a dead build still there: %v", cs)
	}
	if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(state.Pid))); err == nil {
		if st, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(state.Pid), "stat")); !strings.Contains(string(st), ") Z ") {
			t.Errorf("the process of a dead build's container (pid %d) still runs", state.Pid)
		}
	}
}
