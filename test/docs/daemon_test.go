package docs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// daemon is a berth daemon on its own root, exec-root, socket, bridge and
// nftables table, so that examples touch nothing of the host's.
type daemon struct {
	root, execRoot, sock, host string
	cmd                        *exec.Cmd
	done                       chan error
	mu                         sync.Mutex
	log                        bytes.Buffer
}

func (d *daemon) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.Write(p)
}

func (d *daemon) logString() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

// startDaemon starts a daemon for one example; t.Cleanup removes its
// containers, stops it and ends its container monitors, even on failure.
func startDaemon(t *testing.T) *daemon {
	t.Helper()
	dir := t.TempDir()
	// Socket paths are limited to 108 bytes: keep the socket in a short dir.
	sockDir, err := os.MkdirTemp("", "berth-docs-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	d := &daemon{root: filepath.Join(dir, "root"), execRoot: filepath.Join(dir, "run"),
		sock: filepath.Join(sockDir, "berth.sock")}
	d.host = "unix://" + d.sock
	cfg := filepath.Join(dir, "daemon.json") // not the host's /etc/berth/daemon.json
	if err := os.WriteFile(cfg, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(d.root))
	suffix := hex.EncodeToString(sum[:4])
	d.cmd = exec.Command(berthBin(), "daemon", "-H", d.host, "--root", d.root, "--exec-root", d.execRoot,
		"--config-file", cfg, "--log-level", "debug", "--bridge", "bd"+suffix, "--nft-table", "berthdoc_"+suffix)
	d.cmd.Stdout, d.cmd.Stderr = d, d
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.done = make(chan error, 1)
	go func() { d.done <- d.cmd.Wait() }()
	t.Cleanup(func() {
		// Containers and their monitors outlive a daemon by design, not a test.
		if out, err := d.berth("ps", "-aq"); err == nil {
			if ids := strings.Fields(out); len(ids) > 0 {
				_, _ = d.berth(append([]string{"rm", "-f"}, ids...)...)
			}
		}
		d.stop()
		killShimsUnder(d.execRoot)
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.logString())
		}
	})
	d.waitReady(t)
	return d
}

func (d *daemon) waitReady(t *testing.T) {
	t.Helper()
	for i := 0; i < 400; i++ {
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
func (d *daemon) stop() {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(20 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// berth runs the CLI against d and returns what it printed.
func (d *daemon) berth(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, berthBin(), args...)
	cmd.Env = append(cleanEnv(), "BERTH_HOST="+d.host)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// killShimsUnder ends the berth-shim processes whose state lives under
// execRoot: only this test's daemon started those.
func killShimsUnder(execRoot string) {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(cmdline, []byte("berth-shim")) || !bytes.Contains(cmdline, []byte(execRoot+"/")) {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// cleanEnv is the environment without variables that point a client at
// another daemon.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "BERTH_HOST=") || strings.HasPrefix(kv, "DOCKER_") || strings.HasPrefix(kv, "PATH=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
