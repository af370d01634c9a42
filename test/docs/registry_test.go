package docs

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const registryBin = "/usr/bin/docker-registry"

// needsRegistry reports whether an example talks to $REGISTRY.
func (e example) needsRegistry() bool {
	for _, c := range e.cmds {
		if strings.Contains(c.text, "$REGISTRY") {
			return true
		}
	}
	return false
}

// startRegistry starts Debian's docker-registry (the CNCF distribution
// registry) on a free loopback port with scratch storage, for one example,
// and returns its address; it is killed when the example ends.
func startRegistry(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(registryBin); err != nil {
		t.Skipf("%s is not installed (apt-get install docker-registry)", registryBin)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"+
		"storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n",
		filepath.Join(dir, "data"), addr)
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(registryBin, "serve", cfgPath)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("registry log:\n%s", log.String())
		}
	})
	for i := 0; i < 400; i++ {
		select {
		case <-done:
			t.Fatalf("registry exited at start:\n%s", log.String())
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("registry did not listen on %s", addr)
	return ""
}
