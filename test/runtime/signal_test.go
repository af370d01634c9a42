package runtime

import (
	"bufio"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// run forwards the signals it receives to the container's process (here
// SIGUSR1, then SIGTERM) and exits with the process's status.
func TestRunForwardsSignals(t *testing.T) {
	r := newRig(t)
	b, id := r.bundle(nil, "sh", "-c",
		`trap 'echo got USR1' USR1; trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.05; done`)
	cmd := exec.Command(berthRunc, "--root", r.root, "run", "--bundle", b, id)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	expect := func(want string) {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("container output ended before %q: %v", want, lines.Err())
		}
		if got := strings.TrimSpace(lines.Text()); got != want {
			t.Fatalf("container printed %q, want %q", got, want)
		}
	}
	expect("ready")
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	expect("got USR1")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	expect("got TERM")
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Errorf("run exited with %v, want the container's status 7", err)
	}
}
