package build_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/build"
	"github.com/berthproject/berth/internal/network"
	"github.com/moby/sys/mountinfo"
)

// withBridge gives the env's builders a network service with a default
// bridge and an nftables table of the test's own, torn down at cleanup.
// It returns the bridge's name.
func (e *env) withBridge() (*network.Manager, string) {
	e.t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	suffix := hex.EncodeToString(b)
	bridge := "bb" + suffix
	ctx := context.Background()
	m, err := network.New(ctx, network.Config{Store: network.DBStore(e.db), Table: "berth_b" + suffix, DefaultBridge: bridge})
	if err != nil {
		e.t.Fatalf("network service: %v", err)
	}
	e.t.Cleanup(func() {
		if err := m.Teardown(ctx); err != nil {
			e.t.Errorf("network teardown: %v", err)
		}
		m.Close()
	})
	e.networks = m
	e.b = e.newBuilder()
	return m, bridge
}

// stepTraces is what a running RUN step has on the host, found from the
// outside: berth-runc processes of the builder's state directory, the
// step's state, cgroups and veth, and the network namespaces the
// builder holds open.
type stepTraces struct {
	runc, state, cgroups, veths []string
	netnsFds                    int
}

func (e *env) traces(id12, bridge string) stepTraces {
	e.t.Helper()
	var tr stepTraces
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cmdline, _ := os.ReadFile(p)
		if bytes.Contains(cmdline, []byte("berth-runc")) && bytes.Contains(cmdline, []byte(e.runtimeRoot())) {
			tr.runc = append(tr.runc, strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	tr.state, _ = filepath.Glob(filepath.Join(e.runtimeRoot(), id12+"*"))
	for _, pattern := range []string{"/sys/fs/cgroup/*/berth-build/" + id12 + "*", "/sys/fs/cgroup/berth-build/" + id12 + "*"} {
		m, _ := filepath.Glob(pattern)
		tr.cgroups = append(tr.cgroups, m...)
	}
	if bridge != "" {
		out, err := exec.Command("ip", "-o", "link", "show", "master", bridge).CombinedOutput()
		if err != nil {
			e.t.Fatalf("ip link show master %s: %v: %s", bridge, err, out)
		}
		tr.veths = strings.Fields(string(out))
	}
	fds, _ := filepath.Glob("/proc/self/fd/*")
	for _, fd := range fds {
		if l, _ := os.Readlink(fd); strings.HasPrefix(l, "net:[") {
			tr.netnsFds++
		}
	}
	return tr
}

// Cancelling a build while a RUN step on the default bridge sleeps kills
// the step and leaves nothing behind: no berth-runc process, no container
// state, cgroup or mount, no veth on the bridge, no network namespace
// held open by the builder.
func TestCancelMidRunOnBridgeLeavesNothing(t *testing.T) {
	e := newEnv(t)
	m, bridge := e.withBridge()
	before := e.traces("", "")
	rep, cancel, done := e.buildUntil(t, "FROM busybox\nRUN ip -o -4 addr show eth0 && echo $((6*7)) ready && sleep 60\n", "42 ready")
	out := rep.String()
	match := regexp.MustCompile(`---> Running in ([0-9a-f]{12})`).FindStringSubmatch(out)
	if match == nil || !strings.Contains(out, "eth0") {
		t.Fatalf("the step is not on the bridge, or its container is unnamed:\n%s", out)
	}
	id12 := match[1]
	running := e.traces(id12, bridge)
	if len(running.runc) == 0 || len(running.state) == 0 || len(running.cgroups) == 0 || len(running.veths) == 0 || running.netnsFds <= before.netnsFds {
		t.Fatalf("a running step should show a berth-runc process, state, cgroup, veth and a held namespace: %+v", running)
	}

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled build returned %v\n%s", err, rep)
	}
	if err := m.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := e.traces(id12, bridge)
	if len(after.runc) != 0 {
		t.Errorf("berth-runc processes left: %q", after.runc)
	}
	if len(after.state) != 0 {
		t.Errorf("container state left: %q", after.state)
	}
	if cs := e.containers(); len(cs) != 0 {
		t.Errorf("containers left: %v", cs)
	}
	if len(after.cgroups) != 0 {
		t.Errorf("cgroups left: %q", after.cgroups)
	}
	if len(after.veths) != 0 {
		t.Errorf("interfaces left on bridge %s: %q", bridge, after.veths)
	}
	if after.netnsFds != before.netnsFds {
		t.Errorf("the builder holds %d network namespaces, %d before the build", after.netnsFds, before.netnsFds)
	}
	if ms, _ := mountinfo.GetMounts(mountinfo.PrefixFilter(e.root)); len(ms) != 0 {
		t.Errorf("mounts left: %v", ms)
	}
}

// A RUN whose command cannot run fails the build with the runtime's
// reason, not as an exit code of berth-runc's own, and leaves nothing.
func TestRunCommandMissing(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(`FROM busybox`+"\n"+`RUN ["/nonexistent"]`+"\n"), 0o644)
	out, err := expectFailure(t, e, dir, build.Options{})
	if msg := err.Error(); !strings.HasPrefix(msg, "run the container of a RUN step: ") || !strings.Contains(msg, `exec "/nonexistent": executable file not found`) || strings.Contains(msg, "non-zero code") {
		t.Errorf("error %q, want the runtime's reason\n%s", err, out)
	}
}
