package container

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParseBind(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want containertypes.MountPoint
	}{
		{"/data", containertypes.MountPoint{Type: mount.TypeVolume, Destination: "/data", Driver: "local", RW: true}},
		{"vol:/data", containertypes.MountPoint{Type: mount.TypeVolume, Name: "vol", Destination: "/data", Driver: "local", RW: true}},
		{"vol:/data:ro", containertypes.MountPoint{Type: mount.TypeVolume, Name: "vol", Destination: "/data", Driver: "local", Mode: "ro"}},
		{"/host/dir:/data:ro,rshared", containertypes.MountPoint{Type: mount.TypeBind, Source: "/host/dir", Destination: "/data", Mode: "ro,rshared", Propagation: mount.PropagationRShared}},
		{"/host:/data", containertypes.MountPoint{Type: mount.TypeBind, Source: "/host", Destination: "/data", RW: true, Propagation: mount.PropagationRPrivate}},
	} {
		got, err := parseBind(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseBind(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"rel/path:/data", "a:b:c:d", "vol:/data:bogus"} {
		if _, err := parseBind(bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("parseBind(%q) = %v, want invalid argument", bad, err)
		}
	}
}

func TestValidateHostConfig(t *testing.T) {
	tooMany := int64(runtime.NumCPU()+1) * 1e9
	for name, hc := range map[string]containertypes.HostConfig{
		"memory 1k":           {Resources: containertypes.Resources{Memory: 1024}},
		"cpus above the host": {Resources: containertypes.Resources{NanoCPUs: tooMany}},
		"swap below memory":   {Resources: containertypes.Resources{Memory: 64 << 20, MemorySwap: 32 << 20}},
		"unknown policy":      {RestartPolicy: containertypes.RestartPolicy{Name: "sometimes"}},
		"retries with always": {RestartPolicy: containertypes.RestartPolicy{Name: "always", MaximumRetryCount: 2}},
		"rm with restart":     {AutoRemove: true, RestartPolicy: containertypes.RestartPolicy{Name: "always"}},
		"log driver":          {LogConfig: containertypes.LogConfig{Type: "syslog"}},
	} {
		if err := validateHostConfig(&hc); !errdefs.IsInvalidArgument(err) {
			t.Errorf("%s: %v, want invalid argument", name, err)
		}
	}
	ok := containertypes.HostConfig{Resources: containertypes.Resources{Memory: 64 << 20, NanoCPUs: 5e8},
		RestartPolicy: containertypes.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}}
	if err := validateHostConfig(&ok); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}

func TestRestartPolicyAndBackoff(t *testing.T) {
	onFail2 := containertypes.RestartPolicy{Name: "on-failure", MaximumRetryCount: 2}
	for _, tc := range []struct {
		p           containertypes.RestartPolicy
		manual      bool
		code, count int
		want        bool
	}{
		{containertypes.RestartPolicy{Name: "no"}, false, 1, 0, false},
		{containertypes.RestartPolicy{Name: "always"}, false, 0, 5, true},
		{containertypes.RestartPolicy{Name: "always"}, true, 0, 0, false},
		{containertypes.RestartPolicy{Name: "unless-stopped"}, false, 0, 0, true},
		{onFail2, false, 0, 0, false},
		{onFail2, false, 1, 1, true},
		{onFail2, false, 1, 2, false},
		{containertypes.RestartPolicy{Name: "on-failure"}, false, 1, 100, true},
	} {
		if got := shouldRestart(tc.p, tc.manual, tc.code, tc.count); got != tc.want {
			t.Errorf("shouldRestart(%v, manual=%v, code=%d, count=%d) = %v", tc.p, tc.manual, tc.code, tc.count, got)
		}
	}
	var e entry
	var delays []time.Duration
	for i := 0; i < 3; i++ {
		delays = append(delays, e.nextBackoff(time.Second))
	}
	if delays[0] != 100*time.Millisecond || delays[1] != 200*time.Millisecond || delays[2] != 400*time.Millisecond {
		t.Errorf("backoff = %v, want 100ms doubling", delays)
	}
	if d := e.nextBackoff(time.Minute); d != 100*time.Millisecond {
		t.Errorf("backoff after a long run = %v, want reset to 100ms", d)
	}
}

func TestLookCommandClassifies(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	os.WriteFile(filepath.Join(root, "bin", "tool"), []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(filepath.Join(root, "bin", "data"), []byte("x"), 0o644)
	os.Symlink("/../../../bin/sh", filepath.Join(root, "bin", "escape"))
	env := []string{"PATH=/bin"}
	for name, want := range map[string]error{
		"tool": nil, "/bin/tool": nil, "missing": errNoCommand, "/bin/data": errNotExecutable,
		"data": errNotExecutable, "escape": errNoCommand,
	} {
		if got := lookCommand(root, name, env); got != want {
			t.Errorf("lookCommand(%q) = %v, want %v", name, got, want)
		}
	}
	code, err := classifyStartErrorArgs(root, "missing", env)
	if code != 127 || !errdefs.IsInvalidArgument(err) {
		t.Errorf("missing command: %d, %v", code, err)
	}
	if code, _ := classifyStartErrorArgs(root, "/bin/data", env); code != 126 {
		t.Errorf("not executable: %d, want 126", code)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"10": 10, "1k": 1024, "10m": 10 << 20, "1g": 1 << 30, "1.5k": 1536, "2MB": 2 << 20} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"12x", "", "-1m"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

// classifyStartErrorArgs is classifyStartError for a bare command (tests).
func classifyStartErrorArgs(rootfs, name string, env []string) (int, error) {
	return classifyStartError(rootfs, &specs.Process{Args: []string{name}, Env: env}, errors.New("start failed"))
}
