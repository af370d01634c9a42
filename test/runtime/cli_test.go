package runtime

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
)

func TestRunExitCodeAndOutput(t *testing.T) {
	r := newRig(t)
	b, id := r.bundle(nil, "sh", "-c", "echo hi; exit 3")
	out, stderr, code := r.brc("run", "--bundle", b, id)
	if code != 3 || out != "hi\n" {
		t.Errorf("run: code %d, stdout %q, stderr %q", code, out, stderr)
	}
	if list, _, _ := r.brc("list", "-q"); strings.TrimSpace(list) != "" {
		t.Errorf("run left containers: %q", list)
	}
}

func TestCreateStartStateKillDelete(t *testing.T) {
	r := newRig(t)
	b, id := r.bundle(nil, "sleep", "60")
	pidFile := filepath.Join(t.TempDir(), "pid")
	if _, stderr, code := r.brc("create", "--bundle", b, "--pid-file", pidFile, id); code != 0 {
		t.Fatalf("create: %s", stderr)
	}
	state := func() specs.State {
		out, stderr, code := r.brc("state", id)
		if code != 0 {
			t.Fatalf("state: %s", stderr)
		}
		var s specs.State
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("state output %q: %v", out, err)
		}
		return s
	}
	s := state()
	data, _ := os.ReadFile(pidFile)
	if pid, _ := strconv.Atoi(string(data)); s.Status != specs.StateCreated || pid != s.Pid || s.Bundle != b {
		t.Errorf("after create: %+v, pid file %q", s, data)
	}
	if _, stderr, code := r.brc("start", id); code != 0 {
		t.Fatalf("start: %s", stderr)
	}
	if s = state(); s.Status != specs.StateRunning {
		t.Errorf("after start: %s", s.Status)
	}
	if out, _, _ := r.brc("ps", "--format", "json", id); !strings.Contains(out, strconv.Itoa(s.Pid)) {
		t.Errorf("ps: %s", out)
	}
	if _, stderr, code := r.brc("kill", id, "KILL"); code != 0 {
		t.Fatalf("kill: %s", stderr)
	}
	for i := 0; i < 500 && state().Status != specs.StateStopped; i++ {
		sleep()
	}
	if _, stderr, code := r.brc("delete", id); code != 0 {
		t.Fatalf("delete: %s", stderr)
	}
	if _, _, code := r.brc("state", id); code == 0 {
		t.Error("state of a deleted container succeeded")
	}
}

func TestFeaturesAndSpec(t *testing.T) {
	r := newRig(t)
	out, _, code := r.brc("features")
	var f features.Features
	if code != 0 || json.Unmarshal([]byte(out), &f) != nil || f.OCIVersionMax != specs.Version || f.Linux == nil || len(f.Linux.Namespaces) < 7 {
		t.Errorf("features: code %d, %s", code, out)
	}
	dir := t.TempDir()
	if _, stderr, code := r.brc("spec", "--bundle", dir); code != 0 {
		t.Fatalf("spec: %s", stderr)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil || s.Root.Path != "rootfs" || !s.Process.Terminal {
		t.Errorf("spec wrote %s (%v)", data, err)
	}
	if _, _, code := r.brc("spec", "--bundle", dir); code == 0 {
		t.Error("spec overwrote an existing config.json")
	}
}

func TestCLIBadInput(t *testing.T) {
	r := newRig(t)
	b, id := r.bundle(nil, "/bin/does-not-exist")
	_, stderr, code := r.brc("run", "--bundle", b, id)
	if code != 127 || !strings.Contains(stderr, "/bin/does-not-exist") {
		t.Errorf("missing binary: code %d, stderr %q", code, stderr)
	}
	for _, cmd := range []string{"/etc/passwd", "/etc"} { // no x bit; a directory
		b, id := r.bundle(nil, cmd)
		if _, stderr, code := r.brc("run", "--bundle", b, id); code != 126 || !strings.Contains(stderr, "permission denied") {
			t.Errorf("%s as the command: code %d, stderr %q; want 126, permission denied", cmd, code, stderr)
		}
	}
	_, stderr, code = r.brc("create", "--bundle", t.TempDir(), "nobundle")
	if code == 0 || !strings.Contains(stderr, "config.json") {
		t.Errorf("no config.json: code %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(r.root, "nobundle")); err == nil {
		t.Error("state dir left after a failed create")
	}
	_, stderr, code = r.brc("state", "no-such-container")
	if code == 0 || !strings.Contains(stderr, "does not exist") {
		t.Errorf("state of unknown id: code %d, stderr %q", code, stderr)
	}
}

// TestRunTerminalProxy: `run` of a terminal process without a console
// socket proxies the pty to its own terminal, as runc does.
func TestRunTerminalProxy(t *testing.T) {
	r := newRig(t)
	b, id := r.bundle(func(s *specs.Spec) { s.Process.Terminal = true }, "sh", "-c", "tty; echo tty-ok")
	out := ptyOutput(t, exec.Command(berthRunc, "--root", r.root, "run", "--bundle", b, id))
	if !strings.Contains(out, "/dev/pts/0") || !strings.Contains(out, "tty-ok") {
		t.Errorf("run in a terminal printed %q", out)
	}
}
