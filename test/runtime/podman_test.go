package runtime

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/console"
)

// podman drives berth-runc as its OCI runtime, with a scratch store.
type podman struct {
	t      *testing.T
	global []string
	rootfs string
}

func newPodman(t *testing.T) *podman {
	t.Helper()
	r := newRig(t)
	if _, err := exec.LookPath("podman"); err != nil {
		t.Skip("podman is not installed")
	}
	// podman refuses a runroot path longer than 50 characters.
	dir, err := os.MkdirTemp("", "bpm-")
	if err != nil {
		t.Fatal(err)
	}
	p := &podman{t: t, rootfs: r.rootfs, global: []string{
		"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "runroot"),
		"--tmpdir", filepath.Join(dir, "tmp"), "--runtime", berthRunc,
		"--cgroup-manager", "cgroupfs", "--events-backend", "none",
	}}
	t.Cleanup(func() {
		_ = exec.Command("podman", append(p.global, "rm", "--all", "--force", "--time", "0")...).Run()
		// Leave no mount of the scratch store behind for TempDir's removal.
		_ = exec.Command("podman", append(p.global, "system", "reset", "--force")...).Run()
		_ = os.RemoveAll(dir)
	})
	return p
}

// runFlags are what this host needs (no CAP_SYS_RESOURCE, no CNI).
func (p *podman) runFlags() []string {
	return []string{"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--network", "none", "--rootfs", p.rootfs}
}

func (p *podman) cmd(args ...string) *exec.Cmd {
	return exec.Command("podman", append(append([]string{}, p.global...), args...)...)
}

func (p *podman) output(args ...string) string {
	p.t.Helper()
	cmd := p.cmd(args...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		p.t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return string(out)
}

func TestPodmanRun(t *testing.T) {
	p := newPodman(t)
	args := append(append([]string{"run", "--rm"}, p.runFlags()...), "echo", "ok")
	if out := p.output(args...); out != "ok\n" {
		t.Errorf("podman run printed %q", out)
	}
}

func TestPodmanRunInteractiveTTY(t *testing.T) {
	p := newPodman(t)
	args := append(append([]string{"run", "--rm", "-it"}, p.runFlags()...), "sh", "-c", "tty; echo tty-ok")
	out := p.inPty(args...)
	if !strings.Contains(out, "/dev/pts/0") || !strings.Contains(out, "tty-ok") {
		t.Errorf("podman run -it printed %q", out)
	}
}

func TestPodmanExec(t *testing.T) {
	p := newPodman(t)
	name := "berth-exec-" + strings.ReplaceAll(filepath.Base(t.TempDir()), "_", "")
	args := append(append([]string{"run", "-d", "--name", name}, p.runFlags()...), "sleep", "60")
	p.output(args...)
	if out := p.output("exec", name, "sh", "-c", "echo exec-ok; cat /proc/1/cmdline"); !strings.HasPrefix(out, "exec-ok\nsleep") {
		t.Errorf("podman exec printed %q", out)
	}
	if out := p.inPty("exec", "-it", name, "sh", "-c", "tty; echo exec-tty-ok"); !strings.Contains(out, "exec-tty-ok") || !strings.Contains(out, "/dev/pts/") {
		t.Errorf("podman exec -it printed %q", out)
	}
	p.output("rm", "--force", "--time", "0", name)
}

// TestPodmanUserNamespace: --uidmap gives the container a user namespace;
// podman's bind sources sit in 0700 directories the container's root
// cannot enter.
func TestPodmanUserNamespace(t *testing.T) {
	p := newPodman(t)
	err := filepath.Walk(p.rootfs, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, 100000, 100000)
	})
	if err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{"run", "--rm", "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536"}, p.runFlags()...),
		"sh", "-c", "echo $(cat /proc/self/uid_map); id -u; test -s /etc/hosts && echo hosts-ok")
	if out := p.output(args...); out != "0 100000 65536\n0\nhosts-ok\n" {
		t.Errorf("podman run --uidmap printed %q", out)
	}
}

// inPty runs podman with a pseudo-terminal as its controlling terminal and
// returns everything it printed.
func (p *podman) inPty(args ...string) string {
	p.t.Helper()
	return ptyOutput(p.t, p.cmd(args...))
}

// ptyOutput runs cmd with a new pty as its controlling terminal and stdio,
// and returns everything it printed; a non-zero exit is a test error.
func ptyOutput(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	master, slavePath, err := console.NewPty()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	slave, err := os.OpenFile(slavePath, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	outc := make(chan string, 1)
	go func() {
		var buf bytes.Buffer
		_, _ = io.Copy(&buf, master) // ends with EIO once the command exits
		outc <- buf.String()
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("%v in a pty did not finish", cmd.Args)
	}
	out := <-outc
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	if err != nil {
		t.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	return out
}
