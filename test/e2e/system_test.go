package e2e

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionInfoPing(t *testing.T) {
	d := startDaemon(t)
	v := d.ok(t, "version", "--format", "{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Client.APIVersion}}")
	if got := strings.TrimSpace(v); got != "1.56 1.24 1.56" {
		t.Errorf("version = %q", got)
	}
	var info struct {
		Images                       int
		Driver, CgroupDriver         string
		CgroupVersion, DockerRootDir string
		NCPU                         int
		MemTotal                     int64
		ID, KernelVersion            string
	}
	if err := json.Unmarshal([]byte(d.ok(t, "info", "--format", "json")), &info); err != nil {
		t.Fatal(err)
	}
	wantCgroup := "1"
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		wantCgroup = "2"
	}
	if info.Images != 0 || info.Driver != "overlay2" || info.CgroupDriver != "cgroupfs" || info.CgroupVersion != wantCgroup ||
		info.DockerRootDir != d.root || info.NCPU < 1 || info.MemTotal <= 0 || info.ID == "" || info.KernelVersion == "" {
		t.Errorf("info = %+v", info)
	}
	// The ID is kept per root: a restarted daemon reports the same.
	if err := d.stop(t); err != nil {
		t.Fatalf("stop: %v\n%s", err, d.logString())
	}
	d.start(t)
	if id := strings.TrimSpace(d.ok(t, "info", "--format", "{{.ID}}")); id != info.ID {
		t.Errorf("ID after restart %q, want %q", id, info.ID)
	}
	if fi, err := os.Stat(d.sock); err != nil || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode: %v %v", fi.Mode(), err)
	}
}

func TestSecondDaemonOnSameRootRefuses(t *testing.T) {
	d := startDaemon(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(cfg, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, nil, nil, berthBin(), "daemon", "-H", "unix://"+filepath.Join(dir, "other.sock"), "--root", d.root,
		"--exec-root", filepath.Join(dir, "run"), "--config-file", cfg)
	if r.code != 125 || !strings.Contains(r.stderr, "another berth daemon") || !strings.Contains(r.stderr, d.root) {
		t.Fatalf("second daemon: %s", r)
	}
	// The first one still serves.
	d.ok(t, "version")
}

func TestMalformedConfigFile(t *testing.T) {
	needRoot(t)
	cfg := filepath.Join(t.TempDir(), "daemon.json")
	os.WriteFile(cfg, []byte(`{"root": "/x", "bogus": 1}`), 0o644)
	r := runCmd(t, nil, nil, berthBin(), "daemon", "--config-file", cfg)
	if r.code != 125 || !strings.Contains(r.stderr, "config file "+cfg+" is not valid") || !strings.Contains(r.stderr, "bogus") {
		t.Fatalf("malformed config: %s", r)
	}
}

func TestNoDaemonMessage(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "nobody.sock")
	r := runCmd(t, nil, []string{"BERTH_HOST=unix://" + sock}, berthBin(), "images")
	want := "cannot connect to the berth daemon at unix://" + sock
	if r.code != 125 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "berth daemon") ||
		strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("no daemon: %s", r)
	}
}

func TestGracefulShutdownOnSIGTERM(t *testing.T) {
	d := startDaemon(t)
	if err := d.stop(t); err != nil {
		t.Fatalf("daemon did not exit 0 on SIGTERM: %v\n%s", err, d.logString())
	}
	if _, err := os.Stat(d.sock); !os.IsNotExist(err) {
		t.Errorf("socket left behind after SIGTERM: %v", err)
	}
	if !strings.Contains(d.logString(), "daemon stopped") {
		t.Errorf("log lacks the stop record:\n%s", d.logString())
	}
}

func TestHostFlagAndExplicitTCP(t *testing.T) {
	needRoot(t)
	// A free loopback port: TCP is used only when named.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	d := newDaemonDirs(t)
	d.start(t, "-H", "tcp://"+addr)
	for _, host := range []string{d.host, "tcp://" + addr} {
		r := runCmd(t, nil, nil, berthBin(), "-H", host, "info", "--format", "{{.DockerRootDir}}")
		if r.code != 0 || strings.TrimSpace(r.stdout) != d.root {
			t.Errorf("berth -H %s info: %s", host, r)
		}
	}
}
