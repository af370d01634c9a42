package build

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/containerd/errdefs"
)

// berth-runc's --log tells its own failures (level "error") from the
// container's exit status; warnings and debug lines are not failures.
func TestRuntimeFailureReadsErrorRecords(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct{ log, want string }{
		"none":    {"", ""},
		"warning": {`{"time":"t","level":"warn","msg":"cgroup: slow"}` + "\n", ""},
		"error": {`{"time":"t","level":"debug","msg":"create","phase":"start"}` + "\n" +
			`{"time":"t","level":"error","msg":"create container \"x\": exec \"/nope\": executable file not found in the container"}` + "\n",
			`create container "x": exec "/nope": executable file not found in the container`},
		"garbage": {"not json\n", ""},
	} {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(c.log), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := runtimeFailure(p); got != c.want {
			t.Errorf("%s: runtimeFailure = %q, want %q", name, got, c.want)
		}
	}
	if got := runtimeFailure(filepath.Join(dir, "absent.json")); got != "" {
		t.Errorf("no log file: runtimeFailure = %q", got)
	}
}

// The binary is an explicit path, else the one on $PATH; a missing one
// is NotFound and names berth-runc.
func TestFindRunc(t *testing.T) {
	if got, err := findRunc("/opt/x/berth-runc"); err != nil || got != "/opt/x/berth-runc" {
		t.Errorf("explicit path: %q, %v", got, err)
	}
	self, _ := os.Executable()
	if _, err := os.Stat(filepath.Join(filepath.Dir(self), RuncName)); err == nil {
		t.Skip("a berth-runc lies beside the test binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, RuncName)
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if got, err := findRunc(""); err != nil || got != bin {
		t.Errorf("from $PATH: %q, %v; want %q", got, err, bin)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := findRunc(""); !errdefs.IsNotFound(err) {
		t.Errorf("no berth-runc anywhere: %v, want NotFound", err)
	}
}
