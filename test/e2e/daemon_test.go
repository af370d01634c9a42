package e2e

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthproject/berth/test/harness"
)

// daemon is a berth daemon on its own scratch root, exec-root and socket
// (test/harness starts, stops and cleans it up); the lowercase fields are
// the suite's short names for the harness's.
type daemon struct {
	h                    *harness.Daemon
	root, execRoot, sock string
	host                 string // unix://<sock>
}

// suite names this suite's daemons: sockets under /tmp/berth-e2e-*,
// bridges bt<hex>, nftables tables berth_<hex>.
func suite() harness.Suite {
	return harness.Suite{Bin: berthBin(), Name: "e2e", BridgePrefix: "bt", TablePrefix: "berth_"}
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

// newDaemonDirs makes a daemon's directories without starting it.
func newDaemonDirs(t *testing.T) *daemon {
	t.Helper()
	h := suite().NewDaemon(t)
	return &daemon{h: h, root: h.Root, execRoot: h.ExecRoot, sock: h.Sock, host: h.Host}
}

func (d *daemon) start(t *testing.T, extra ...string) {
	t.Helper()
	d.h.Start(t, extra...)
}

// running reports whether the daemon was started and not stopped or killed.
func (d *daemon) running() bool { return d.h.Running() }

// logString is what the daemon has logged since it last started.
func (d *daemon) logString() string { return d.h.Log() }

// stop sends SIGTERM and waits; a daemon that does not stop is killed.
func (d *daemon) stop(t *testing.T) error {
	t.Helper()
	return d.h.Stop()
}

// kill sends SIGKILL and waits for the process to go.
func (d *daemon) kill() { d.h.Kill() }

// result is what a command printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return harness.Result{Stdout: r.stdout, Stderr: r.stderr, Code: r.code}.String()
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

// runCmd runs bin with the clean environment plus env (harness.Run).
func runCmd(t *testing.T, stdin io.Reader, env []string, bin string, args ...string) result {
	t.Helper()
	r := harness.Run(t, stdin, env, bin, args...)
	return result{stdout: r.Stdout, stderr: r.Stderr, code: r.Code}
}

// cleanEnv is the environment without variables that would point a client
// at another daemon.
func cleanEnv() []string { return harness.CleanEnv() }
