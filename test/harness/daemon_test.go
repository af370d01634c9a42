package harness

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthproject/berth/test/testimage"
)

// The daemon's whole life as the suites use it: start (through the
// `berth daemon` hand-off), kill with a container running, start again on
// the same root, stop, start, and the cleanup that removes what is left.
func TestDaemonLifecycle(t *testing.T) {
	NeedRoot(t)
	var execRoot string
	t.Run("life", func(t *testing.T) {
		d := testSuite().StartDaemon(t)
		execRoot = d.ExecRoot
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", d.Pid())); err != nil || filepath.Base(exe) != "berthd" {
			t.Errorf("daemon process runs %q (%v), want berthd: `berth daemon` executes it in place", exe, err)
		}
		firstFlags := cmdline(t, d.Pid())

		archive := filepath.Join(t.TempDir(), "busybox.tar")
		if err := os.WriteFile(archive, testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"busybox:latest"}}), 0o644); err != nil {
			t.Fatal(err)
		}
		mustBerth(t, d, "load", "-i", archive)
		id := strings.TrimSpace(mustBerth(t, d, "run", "-d", "--network", "none", "busybox:latest", "sleep", "1000"))
		if len(shimsUnder(d.ExecRoot)) == 0 {
			t.Fatalf("no berth-shim under %s with a container running", d.ExecRoot)
		}

		d.Kill()
		if d.Running() || d.Pid() != 0 {
			t.Errorf("after Kill: running %v, pid %d", d.Running(), d.Pid())
		}
		if len(shimsUnder(d.ExecRoot)) == 0 {
			t.Errorf("the container monitor went with the killed daemon")
		}

		d.Start(t)
		if got := cmdline(t, d.Pid()); got != firstFlags {
			t.Errorf("restart on the same root has other flags:\n%s\nwant\n%s", got, firstFlags)
		}
		if ps := strings.TrimSpace(mustBerth(t, d, "ps", "-q", "--no-trunc")); ps != id {
			t.Errorf("running containers after the restart: %q, want %q", ps, id)
		}

		if err := d.Stop(); err != nil {
			t.Fatalf("stop: %v\n%s", err, d.Log())
		}
		if _, err := os.Stat(d.Sock); !os.IsNotExist(err) {
			t.Errorf("socket after Stop: %v", err)
		}
		if !strings.Contains(d.Log(), "daemon stopped") {
			t.Errorf("log lacks the stop record:\n%s", d.Log())
		}
		// Running again, with the container, for the cleanup to remove.
		d.Start(t)
	})
	if pids := shimsUnder(execRoot); len(pids) > 0 {
		t.Errorf("berth-shim %v still runs under %s after the test's cleanup", pids, execRoot)
	}
}

func mustBerth(t *testing.T, d *Daemon, args ...string) string {
	t.Helper()
	r := d.Berth(t, nil, args...)
	if r.Code != 0 {
		t.Fatalf("berth %s: %s", strings.Join(args, " "), r)
	}
	return r.Stdout
}

// cmdline is a process's arguments, one a line.
func cmdline(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatal(err)
	}
	return string(bytes.ReplaceAll(bytes.TrimSuffix(b, []byte{0}), []byte{0}, []byte{'\n'}))
}
