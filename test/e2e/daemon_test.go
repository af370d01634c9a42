package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// daemon is a berth daemon on its own scratch root, exec-root and socket.
type daemon struct {
	root, execRoot, sock string
	host                 string // unix://<sock>
	cmd                  *exec.Cmd
	log                  *bytes.Buffer
	logMu                *sync.Mutex
	done                 chan error
}

// startDaemon starts a daemon and waits for its socket to answer; it is
// stopped and its directories removed when the test ends.
func startDaemon(t *testing.T, extra ...string) *daemon {
	t.Helper()
	needRoot(t)
	d := newDaemonDirs(t)
	d.start(t, extra...)
	return d
}

func newDaemonDirs(t *testing.T) *daemon {
	t.Helper()
	dir := t.TempDir()
	// Socket paths are limited to 108 bytes, which t.TempDir paths with
	// long test names can exceed, so the socket lives in a short dir.
	sockDir, err := os.MkdirTemp("", "berth-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	d := &daemon{root: filepath.Join(dir, "root"), execRoot: filepath.Join(dir, "run"), sock: filepath.Join(sockDir, "berth.sock")}
	d.host = "unix://" + d.sock
	return d
}

func (d *daemon) start(t *testing.T, extra ...string) {
	t.Helper()
	// An empty config file of its own keeps the test from reading the
	// host's /etc/berth/daemon.json.
	cfg := filepath.Join(filepath.Dir(d.root), "daemon.json")
	if err := os.WriteFile(cfg, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"daemon", "-H", d.host, "--root", d.root, "--exec-root", d.execRoot,
		"--config-file", cfg, "--log-level", "debug"}, append(daemonNetFlags(d.root), extra...)...)
	cmd := exec.Command(berthBin(), args...)
	d.log = &bytes.Buffer{}
	d.logMu = &sync.Mutex{}
	cmd.Stdout = lockedWriter{d.logMu, d.log}
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.cmd, d.done = cmd, make(chan error, 1)
	go func() { d.done <- cmd.Wait() }()
	t.Cleanup(func() {
		// Containers and their monitor outlive a daemon by design, but not
		// the test: remove them, stop the daemon, then end its shim.
		if d.cmd != nil {
			if ids := strings.Fields(d.berth(t, nil, "ps", "-aq").stdout); len(ids) > 0 {
				d.berth(t, nil, append([]string{"rm", "-f"}, ids...)...)
			}
		}
		d.stop(t)
		killShimsUnder(t, d.execRoot)
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.logString())
		}
	})
	d.waitReady(t)
}

// logString is what the daemon has logged so far.
func (d *daemon) logString() string {
	d.logMu.Lock()
	defer d.logMu.Unlock()
	return d.log.String()
}

// lockedWriter lets the test read the log while the daemon writes it.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// waitReady polls the socket until the daemon answers (or has exited).
func (d *daemon) waitReady(t *testing.T) {
	t.Helper()
	for i := 0; i < 200; i++ {
		select {
		case err := <-d.done:
			d.done <- err
			t.Fatalf("daemon exited at start: %v\n%s", err, d.logString())
		default:
		}
		if c, err := net.Dial("unix", d.sock); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("daemon did not listen on %s\n%s", d.sock, d.logString())
}

// stop sends SIGTERM and waits; a daemon that does not stop is killed.
func (d *daemon) stop(t *testing.T) error {
	t.Helper()
	if d.cmd == nil {
		return nil
	}
	defer func() { d.cmd = nil }()
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		return err
	case <-time.After(20 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
		return errors.New("daemon did not stop on SIGTERM")
	}
}

// kill sends SIGKILL and waits for the process to go.
func (d *daemon) kill() {
	if d.cmd == nil {
		return
	}
	_ = d.cmd.Process.Kill()
	<-d.done
	d.cmd = nil
}

// result is what a command printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// berth runs the berth CLI against d with stdin.
func (d *daemon) berth(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	return runCmd(t, stdin, []string{"BERTH_HOST=" + d.host}, berthBin(), args...)
}

// ok runs berth and fails the test unless it exits 0.
func (d *daemon) ok(t *testing.T, args ...string) string {
	t.Helper()
	r := d.berth(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("berth %s: %s", strings.Join(args, " "), r)
	}
	return r.stdout
}

// docker runs the real docker CLI against d.
func (d *daemon) docker(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	home := t.TempDir()
	env := []string{"DOCKER_HOST=" + d.host, "DOCKER_CONFIG=" + filepath.Join(home, ".docker"), "HOME=" + home}
	return runCmd(t, stdin, env, dockerBin, args...)
}

const dockerBin = "/usr/local/bin/docker"

func runCmd(t *testing.T, stdin io.Reader, env []string, bin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &out, &errb, stdin
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", bin, err)
	}
	return r
}

// cleanEnv is the test's environment without variables that would point a
// client at another daemon.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "BERTH_HOST=") || strings.HasPrefix(kv, "DOCKER_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
