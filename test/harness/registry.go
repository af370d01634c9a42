package harness

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// RegistryBin is Debian's docker-registry, the CNCF distribution registry.
const RegistryBin = "/usr/bin/docker-registry"

// Registry is a docker-registry on a free loopback port with scratch
// storage.
type Registry struct {
	Addr string // 127.0.0.1:PORT
	Dir  string // its scratch directory: config.yml and data/
}

// RegistryOptions are the parts of the registry's configuration tests vary.
// The zero value is a plain-HTTP registry without auth.
type RegistryOptions struct {
	CertFile, KeyFile string // serve TLS when set
	ClientCAs         string // require client certificates signed by this CA when set
	Auth              string // YAML of the config's "auth:" section, indented by 2
}

// NeedRegistry skips the test when docker-registry is not installed.
func NeedRegistry(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(RegistryBin); err != nil {
		t.Skipf("%s is not installed (apt-get install docker-registry)", RegistryBin)
	}
}

// FreePort is a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartRegistry starts a registry and waits until it accepts connections;
// it is killed when the test ends. It skips the test when docker-registry
// is not installed.
func StartRegistry(t *testing.T, o RegistryOptions) *Registry {
	t.Helper()
	NeedRegistry(t)
	if (o.CertFile == "") != (o.KeyFile == "") || (o.ClientCAs != "" && o.CertFile == "") {
		t.Fatalf("harness.RegistryOptions %+v: TLS needs both CertFile and KeyFile, ClientCAs needs TLS", o)
	}
	dir := t.TempDir()
	r := &Registry{Addr: fmt.Sprintf("127.0.0.1:%d", FreePort(t)), Dir: dir}
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(registryConfig(r, o)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(RegistryBin, "serve", cfgPath)
	log := &logBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
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
	for deadline := time.Now().Add(readyTimeout / 2); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		select {
		case <-done:
			t.Fatalf("registry exited at start:\n%s", log.String())
		default:
		}
		if c, err := net.Dial("tcp", r.Addr); err == nil {
			c.Close()
			return r
		}
	}
	t.Fatalf("registry did not listen on %s\n%s", r.Addr, log.String())
	return nil
}

// registryConfig is the registry's config.yml: quiet logs, storage under
// r.Dir with deletes enabled, and o's TLS and auth.
func registryConfig(r *Registry, o RegistryOptions) string {
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"+
		"storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n",
		filepath.Join(r.Dir, "data"), r.Addr)
	if o.CertFile != "" {
		cfg += fmt.Sprintf("  tls:\n    certificate: %s\n    key: %s\n", o.CertFile, o.KeyFile)
		if o.ClientCAs != "" {
			cfg += fmt.Sprintf("    clientcas:\n      - %s\n", o.ClientCAs)
		}
	}
	if o.Auth != "" {
		cfg += "auth:\n" + o.Auth
	}
	return cfg
}
