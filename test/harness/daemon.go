package harness

import (
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Daemon is a berth daemon on its own scratch root, exec-root and socket.
// It can be stopped or killed and started again on the same directories.
type Daemon struct {
	Root, ExecRoot, Sock string
	Host                 string // unix://<Sock>, for BERTH_HOST and DOCKER_HOST

	suite Suite
	cmd   *exec.Cmd
	done  chan error // the process's exit, once; put back by who peeks
	log   *logBuffer
}

const (
	// readyTimeout is generous: the daemon opens its stores and sets up
	// its network first, on a host other suites are loading too.
	readyTimeout = 20 * time.Second
	// stopTimeout is how long a SIGTERM gets before SIGKILL.
	stopTimeout = 20 * time.Second
)

// Start starts the daemon as `berth daemon` (which executes berthd in
// place, so the process is the daemon's) with extra flags after the
// harness's own, and waits until its socket answers. When the test ends
// its containers are removed, it is stopped, the container monitors under
// its exec-root are killed and, if the test failed, its log is printed.
func (d *Daemon) Start(t *testing.T, extra ...string) {
	t.Helper()
	if d.cmd != nil {
		// A second process on the same root would only fail on its lock,
		// and the first would be left without a cleanup of its own.
		t.Fatalf("daemon on %s is already running (pid %d): Stop or Kill it first", d.Root, d.Pid())
	}
	// An empty config file of its own keeps the daemon from reading the
	// host's /etc/berth/daemon.json; a --config-file in extra overrides it.
	cfg := filepath.Join(filepath.Dir(d.Root), "daemon.json")
	if err := os.WriteFile(cfg, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"daemon", "-H", d.Host, "--root", d.Root, "--exec-root", d.ExecRoot,
		"--config-file", cfg, "--log-level", "debug"}
	args = append(append(args, d.suite.netFlags(d.Root)...), extra...)
	cmd := exec.Command(d.suite.Bin, args...)
	d.log = &logBuffer{}
	cmd.Stdout, cmd.Stderr = d.log, d.log
	// The daemon must not outlive a test binary that dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.cmd, d.done = cmd, make(chan error, 1)
	go func() { d.done <- cmd.Wait() }()
	t.Cleanup(func() {
		// Containers and their monitor outlive a daemon by design, but not
		// the test: remove them, stop the daemon, then end its shim.
		if d.Running() {
			if ids := strings.Fields(d.Berth(t, nil, "ps", "-aq").Stdout); len(ids) > 0 {
				d.Berth(t, nil, append([]string{"rm", "-f"}, ids...)...)
			}
		}
		_ = d.Stop()
		KillShimsUnder(d.ExecRoot)
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.Log())
		}
	})
	d.waitReady(t)
}

// waitReady polls the socket until the daemon answers, and fails the test
// if it exits first or never listens.
func (d *Daemon) waitReady(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(readyTimeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-d.done:
			d.done <- err
			t.Fatalf("daemon exited at start: %v\n%s", err, d.Log())
		default:
		}
		if c, err := net.Dial("unix", d.Sock); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("daemon did not listen on %s\n%s", d.Sock, d.Log())
}

// Running reports whether the daemon was started and not yet stopped or
// killed by the harness.
func (d *Daemon) Running() bool { return d.cmd != nil }

// Pid is the daemon's process ID (berthd's: `berth daemon` executes it in
// place), or 0 when it is not running.
func (d *Daemon) Pid() int {
	if d.cmd == nil {
		return 0
	}
	return d.cmd.Process.Pid
}

// Log is what the daemon has logged since it was last started.
func (d *Daemon) Log() string {
	if d.log == nil {
		return ""
	}
	return d.log.String()
}

// Stop sends SIGTERM and waits for the daemon to exit, returning how it
// exited; a daemon that does not stop in time is killed and Stop says so.
func (d *Daemon) Stop() error {
	if d.cmd == nil {
		return nil
	}
	defer func() { d.cmd = nil }()
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		return err
	case <-time.After(stopTimeout):
		_ = d.cmd.Process.Kill()
		<-d.done
		return errors.New("daemon did not stop on SIGTERM")
	}
}

// Kill sends SIGKILL and waits for the process to go; its containers and
// their monitor stay, as after a crash.
func (d *Daemon) Kill() {
	if d.cmd == nil {
		return
	}
	_ = d.cmd.Process.Kill()
	<-d.done
	d.cmd = nil
}

// Berth runs the berth CLI against the daemon.
func (d *Daemon) Berth(t *testing.T, stdin io.Reader, args ...string) Result {
	t.Helper()
	return Run(t, stdin, []string{"BERTH_HOST=" + d.Host}, d.suite.Bin, args...)
}
