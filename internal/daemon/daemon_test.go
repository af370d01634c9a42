package daemon

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
)

func TestLoadConfigFile(t *testing.T) {
	dir := t.TempDir()
	if c, err := LoadConfigFile(filepath.Join(dir, "missing.json"), false); err != nil || len(c.Hosts) != 0 {
		t.Errorf("missing default file: %+v %v", c, err)
	}
	if _, err := LoadConfigFile(filepath.Join(dir, "missing.json"), true); err == nil {
		t.Error("missing explicit file accepted")
	}
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"hosts":["unix:///a.sock"],"host":"tcp://127.0.0.1:2375","root":"/r","exec-root":"/x","log-level":"debug","group":"adm"}`), 0o644)
	c, err := LoadConfigFile(good, true)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Hosts, ",") != "unix:///a.sock,tcp://127.0.0.1:2375" || c.Root != "/r" || c.ExecRoot != "/x" || c.LogLevel != "debug" || c.Group != "adm" {
		t.Errorf("config = %+v", c)
	}
	merged := c.Merge(Config{Root: "/flag"}).fill()
	if merged.Root != "/flag" || merged.ExecRoot != "/x" || len(merged.Hosts) != 2 {
		t.Errorf("merged = %+v", merged)
	}
	if d := (Config{}).fill(); d.Hosts[0] != DefaultHost || d.Root != DefaultRoot || d.ExecRoot != DefaultExecRoot || d.LogLevel != "info" {
		t.Errorf("defaults = %+v", d)
	}
	for name, body := range map[string]string{"syntax": `{"root": `, "unknown key": `{"rooot": "/r"}`, "type": `{"root": 1}`} {
		p := filepath.Join(dir, "bad.json")
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := LoadConfigFile(p, false); !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseLogLevel(t *testing.T) {
	for _, s := range []string{"debug", "info", "warn", "warning", "error", "INFO"} {
		if _, err := ParseLogLevel(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := ParseLogLevel("loud"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("loud: %v", err)
	}
}

func TestLockRootRefusesSecondHolder(t *testing.T) {
	root := t.TempDir()
	l, err := lockRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockRoot(root)
	if !errors.Is(err, errdefs.ErrConflict) || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second lock: %v", err)
	}
	l.release()
	l2, err := lockRoot(root)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.release()
}

func TestListenUnixSocketModeAndStaleFile(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "sub", "berth.sock")
	l, err := listen(context.Background(), "unix://"+sock, "")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o660 || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("socket %v %v", fi.Mode(), err)
	}
	// A live socket is never taken over.
	if _, err := listen(context.Background(), "unix://"+sock, ""); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("second listener on a live socket: %v", err)
	}
	l.Close()
	// A stale file left by a dead daemon is replaced.
	os.WriteFile(sock, nil, 0o600)
	l, err = listen(context.Background(), "unix://"+sock, "")
	if err != nil {
		t.Fatalf("stale socket file: %v", err)
	}
	l.Close()
	for _, bad := range []string{"unix://relative.sock", "http://x", "nohost", "tcp://"} {
		if _, err := listen(context.Background(), bad, ""); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestListenSocketGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown the socket")
	}
	sock := filepath.Join(t.TempDir(), "g.sock")
	l, err := listen(context.Background(), "unix://"+sock, "4242")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var st = statOwner(t, sock)
	if st.uid != 0 || st.gid != 4242 {
		t.Errorf("socket owner %d:%d, want 0:4242", st.uid, st.gid)
	}
	if _, err := listen(context.Background(), "unix://"+sock+"2", "no-such-group-berth"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("unknown group: %v", err)
	}
}

func TestHostInfo(t *testing.T) {
	root := t.TempDir()
	h, err := detectHost(root, false)
	if err != nil {
		t.Fatal(err)
	}
	if h.ID == "" || h.RootDir != root || h.NCPU < 1 || h.MemTotal <= 0 || h.KernelVersion == "" || h.OperatingSystem == "" {
		t.Errorf("host = %+v", h)
	}
	want := "1"
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		want = "2"
	}
	if h.CgroupVersion != want {
		t.Errorf("cgroup version %s, want %s", h.CgroupVersion, want)
	}
	again, _ := detectHost(root, false)
	if again.ID != h.ID {
		t.Errorf("engine ID changed: %s → %s", h.ID, again.ID)
	}
}
