package cgroups

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	cg "github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// helperEnv selects a helper mode when the test binary re-executes itself.
const helperEnv = "BERTH_CGROUPS_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "hog" {
		memoryHog()
	}
	os.Exit(m.Run())
}

// hogged is package-level so the compiler cannot drop the allocations.
var hogged [][]byte

// memoryHog waits for a line on stdin (sent once it is in its cgroup), then
// touches memory until the OOM killer stops it.
func memoryHog() {
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	for range 1024 {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = 1
		}
		hogged = append(hogged, b)
	}
	os.Exit(0) // not reached under the test's limit
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create cgroups")
	}
}

// newTestManager makes a Manager for a unique top-level cgroup path and
// makes sure, even when the test fails, that its cgroups are removed.
func newTestManager(t *testing.T, res *specs.LinuxResources) *Manager {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	m, err := New("/berth-test-"+hex.EncodeToString(b), res)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Destroy(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		for ctrl, p := range m.Paths() {
			if _, err := os.Stat(p); err == nil {
				t.Errorf("cleanup: cgroup %q (%s) still exists", p, ctrl)
			}
		}
	})
	return m
}

// startWaiting starts cmd blocked on reading stdin and returns a function
// that releases it; the process is killed and reaped at cleanup.
func startWaiting(t *testing.T, cmd *exec.Cmd) (release func()) {
	t.Helper()
	w, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return func() { _, _ = w.Write([]byte("go\n")); _ = w.Close() }
}

func startSleep(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// readFile reads a controller file: v1 names the controller's hierarchy,
// on a unified host every file is in the one directory.
func readFile(t *testing.T, m *Manager, controller, v1name, v2name string) string {
	t.Helper()
	dir, name := m.Paths()[controller], v1name
	if m.unified {
		dir, name = m.Paths()[""], v2name
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func onV2() bool { return cg.IsCgroup2UnifiedMode() }

func itoa(i int) string { return strconv.Itoa(i) }

// requireControllers skips when the host cannot offer the test's
// controllers (a v2 host whose controllers are bound to v1 hierarchies).
func requireControllers(t *testing.T, m *Manager, names ...string) {
	t.Helper()
	if !onV2() {
		for _, n := range names {
			if m.Paths()[n] == "" {
				t.Skipf("no cgroup v1 %s hierarchy on this host", n)
			}
		}
		return
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(m.Paths()[""]), "cgroup.controllers"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !slices.Contains(strings.Fields(string(b)), n) {
			t.Skipf("cgroup v2 offers no %s controller here (%s)", n, strings.TrimSpace(string(b)))
		}
	}
}
