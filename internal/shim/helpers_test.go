package shim_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/berthproject/berth/internal/runtime"
	"github.com/berthproject/berth/internal/shim"
	"github.com/berthproject/berth/internal/shim/server"
	"github.com/berthproject/berth/test/testimage"
)

// The test binary is also the shim (and the containers' init): Launch runs
// it with serveEnv set.
const (
	serveEnv    = "BERTH_SHIM_TEST_SERVE"
	launcherEnv = "BERTH_SHIM_TEST_LAUNCHER" // "stateDir:runtimeRoot": launch, print the pid, block
)

var rootfsDir string

func TestMain(m *testing.M) {
	runtime.Init()
	if v := os.Getenv(launcherEnv); v != "" {
		os.Exit(launcher(v))
	}
	if os.Getenv(serveEnv) == "1" {
		os.Exit(server.Main(os.Args[1:]))
	}
	os.Setenv(serveEnv, "1")
	code := m.Run()
	if rootfsDir != "" {
		os.RemoveAll(rootfsDir)
	}
	os.Exit(code)
}

// launcher is a stand-in daemon: it launches the shim and waits to be
// killed.
func launcher(dirs string) int {
	state, rt, _ := strings.Cut(dirs, ":")
	os.Unsetenv(launcherEnv)
	os.Setenv(serveEnv, "1")
	c, err := shim.Launch(context.Background(), shim.Options{Binary: self(), StateDir: state, RuntimeRoot: rt})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	pid, err := c.Pid(context.Background())
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println(pid)
	select {}
}

func self() string {
	p, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return p
}

var rootfsOnce sync.Once

// rootfs is one read-only busybox root shared by every test.
func rootfs(t testing.TB) string {
	rootfsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "berth-shim-test-")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		rootfsDir = dir
		testimage.BusyboxRootfs(t, filepath.Join(dir, "rootfs"))
	})
	return filepath.Join(rootfsDir, "rootfs")
}

// env is one test's shim, with its own state and runtime dirs.
type env struct {
	t    testing.TB
	ctx  context.Context
	opts shim.Options
	c    *shim.Client
	rt   *runtime.Runtime
}

func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates containers (namespaces, mounts, cgroups)")
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("needs busybox-static at /bin/busybox")
	}
}

func newEnv(t testing.TB) *env {
	t.Helper()
	needRoot(t)
	dir := t.TempDir()
	e := &env{t: t, ctx: context.Background(), opts: shim.Options{
		Binary: self(), StateDir: filepath.Join(dir, "shim"), RuntimeRoot: filepath.Join(dir, "runtime"),
	}}
	e.rt = runtime.New(e.opts.RuntimeRoot)
	t.Cleanup(e.cleanup)
	e.c = e.launch()
	return e
}

func (e *env) launch() *shim.Client {
	e.t.Helper()
	c, err := shim.Launch(e.ctx, e.opts)
	if err != nil {
		e.t.Fatalf("launch: %v", err)
	}
	return c
}

// cleanup kills every container and the shim, whatever state the test
// left them in.
func (e *env) cleanup() {
	states, _ := e.rt.List(context.Background())
	for _, st := range states {
		_ = e.rt.Delete(context.Background(), st.ID, true)
	}
	if pid := e.shimPid(); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		waitGone(pid)
	}
}

func (e *env) shimPid() int {
	data, err := os.ReadFile(filepath.Join(e.opts.StateDir, "shim.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(string(data))
	return pid
}

// waitGone waits for a process we may not be the parent of to disappear
// (or become a zombie).
func waitGone(pid int) {
	for i := 0; i < 1000; i++ {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(data), ") Z ") {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var seq atomic.Int64

// bundle writes a busybox bundle running args and returns a fresh ID for it.
func (e *env) bundle(terminal bool, args ...string) (string, string) {
	e.t.Helper()
	name := strings.NewReplacer("/", "-", "_", "-").Replace(e.t.Name())
	if len(name) > 40 {
		name = name[:40]
	}
	id := fmt.Sprintf("%s-%d-%d", name, os.Getpid(), seq.Add(1))
	spec := runtime.DefaultSpec()
	spec.Root.Path = rootfs(e.t)
	spec.Process.Args = args
	spec.Process.Terminal = terminal
	spec.Process.Env = []string{"PATH=/bin", "TERM=xterm"}
	spec.Linux.CgroupsPath = "/berth-test/" + id
	dir := e.t.TempDir()
	data, err := json.Marshal(spec)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644); err != nil {
		e.t.Fatal(err)
	}
	return id, dir
}

// create makes a container running args with a json-file log.
func (e *env) create(terminal bool, args ...string) (string, shim.CreateRequest) {
	e.t.Helper()
	id, bundle := e.bundle(terminal, args...)
	req := shim.CreateRequest{ID: id, Bundle: bundle, Log: shim.LogConfig{Path: filepath.Join(e.t.TempDir(), id+"-json.log")}}
	return id, req
}

func (e *env) mustCreate(req shim.CreateRequest) int {
	e.t.Helper()
	pid, err := e.c.Create(e.ctx, req)
	if err != nil {
		e.t.Fatalf("create %s: %v", req.ID, err)
	}
	return pid
}

// run creates and starts a container.
func (e *env) run(args ...string) string {
	e.t.Helper()
	id, req := e.create(false, args...)
	e.mustCreate(req)
	if err := e.c.Start(e.ctx, id); err != nil {
		e.t.Fatalf("start %s: %v", id, err)
	}
	return id
}

func (e *env) wait(id string) shim.State {
	e.t.Helper()
	st, err := e.c.Wait(e.ctx, id)
	if err != nil {
		e.t.Fatalf("wait %s: %v", id, err)
	}
	return st
}

// demux reads Docker's multiplexed stream to its end.
func demux(t *testing.T, conn net.Conn) (stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			if err != io.EOF {
				t.Fatalf("read frame header: %v", err)
			}
			return out.String(), errb.String()
		}
		if hdr[1] != 0 || hdr[2] != 0 || hdr[3] != 0 {
			t.Fatalf("bad frame header %v", hdr)
		}
		n := binary.BigEndian.Uint32(hdr[4:])
		w := &out
		switch hdr[0] {
		case 1:
		case 2:
			w = &errb
		default:
			t.Fatalf("frame of stream %d", hdr[0])
		}
		if _, err := io.CopyN(w, conn, int64(n)); err != nil {
			t.Fatalf("read frame: %v", err)
		}
	}
}

func closeWrite(t *testing.T, conn net.Conn) {
	t.Helper()
	cw, ok := conn.(interface{ CloseWrite() error })
	if !ok {
		t.Fatal("attach connection has no CloseWrite")
	}
	if err := cw.CloseWrite(); err != nil {
		t.Fatal(err)
	}
}
