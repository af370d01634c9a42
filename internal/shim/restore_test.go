package shim_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berthproject/berth/internal/shim"
)

func TestLiveRestoreAfterClientCloses(t *testing.T) {
	e := newEnv(t)
	pid, _ := e.c.Pid(e.ctx)
	running := e.run("sh", "-c", "while true; do echo tick; sleep 0.05; done")
	exited := e.run("sh", "-c", "exit 7")
	e.wait(exited)
	e.c.Close()
	if _, err := e.c.List(e.ctx); err == nil {
		t.Error("a closed client still works")
	}
	// A new daemon: Launch again.
	e.c = e.launch()
	if pid2, _ := e.c.Pid(e.ctx); pid2 != pid {
		t.Fatalf("relaunch started a new shim (%d, was %d)", pid2, pid)
	}
	states := listByID(t, e)
	if st := states[running]; st.Status != shim.StatusRunning {
		t.Errorf("running container after relaunch: %+v", st)
	}
	if st := states[exited]; st.Status != shim.StatusStopped || st.ExitCode != 7 {
		t.Errorf("exited container after relaunch: %+v", st)
	}
	if err := e.c.Kill(e.ctx, running, syscall.SIGKILL, false); err != nil {
		t.Fatal(err)
	}
	if st := e.wait(running); st.ExitCode != 137 {
		t.Errorf("wait after relaunch: %+v", st)
	}
}

func TestShimSurvivesParentSIGKILL(t *testing.T) {
	e := newEnv(t)
	// The first shim of this state dir is the launcher's child, as the
	// daemon's would be; stop ours first.
	pid, _ := e.c.Pid(e.ctx)
	syscall.Kill(pid, syscall.SIGKILL)
	waitGone(pid)
	cmd := exec.Command(self())
	cmd.Env = append(os.Environ(), launcherEnv+"="+e.opts.StateDir+":"+e.opts.RuntimeRoot)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	shimPid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("launcher said %q", line)
	}
	if parentOf(t, shimPid) != cmd.Process.Pid {
		t.Fatalf("shim %d is not the launcher's child", shimPid)
	}
	e.c = e.launch()
	id := e.run("sleep", "1000")
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if got, err := e.c.Pid(e.ctx); err != nil || got != shimPid {
		t.Fatalf("shim after its parent's SIGKILL: pid %d, %v", got, err)
	}
	if st, _ := e.c.State(e.ctx, id); st.Status != shim.StatusRunning {
		t.Errorf("container after the launcher's death: %+v", st)
	}
	e.c.Kill(e.ctx, id, syscall.SIGKILL, false)
	if st := e.wait(id); st.ExitCode != 137 {
		t.Errorf("exit %+v", st)
	}
}

func TestShimCrashKeepsRecordedExits(t *testing.T) {
	e := newEnv(t)
	oldPid, _ := e.c.Pid(e.ctx)
	recorded := e.run("sh", "-c", "exit 4")
	e.wait(recorded)
	// It writes all the time, also while no shim runs: its writes wait in
	// the fifo for the next shim instead of killing the writer with SIGPIPE
	// (the writer is not pid 1, which would ignore SIGPIPE; the container
	// ends if it dies).
	adopted, adoptedReq := e.create(false, "sh", "-c",
		"trap 'echo got-usr1' USR1; (while true; do echo tick; sleep 0.01; done) & while kill -0 $! 2>/dev/null; do sleep 0.02; done")
	adoptedLog := adoptedReq.Log.Path
	e.mustCreate(adoptedReq)
	if err := e.c.Start(e.ctx, adopted); err != nil {
		t.Fatal(err)
	}
	diedUnwatched := e.run("sleep", "1000")
	victim, _ := e.c.State(e.ctx, diedUnwatched)
	syscall.Kill(oldPid, syscall.SIGKILL)
	waitGone(oldPid)
	// While no shim runs, a container dies: nobody can learn its code.
	syscall.Kill(victim.Pid, syscall.SIGKILL)
	waitGone(victim.Pid)
	logSize := fileSize(t, adoptedLog)
	// Let the adopted container write while no shim runs.
	time.Sleep(200 * time.Millisecond)

	// The same client: its next call finds the shim gone and starts a new
	// one, which reads the records.
	if pid, err := e.c.Pid(e.ctx); err != nil || pid == oldPid {
		t.Fatalf("after the crash: shim pid %d (crashed one %d), %v", pid, oldPid, err)
	}
	states := listByID(t, e)
	if st := states[recorded]; st.Status != shim.StatusStopped || st.ExitCode != 4 {
		t.Errorf("recorded exit after a shim crash: %+v", st)
	}
	if st := states[diedUnwatched]; st.Status != shim.StatusStopped || st.ExitCode != shim.ExitCodeLost || st.Reason == "" {
		t.Errorf("container that died with no shim: %+v", st)
	}
	if st := states[adopted]; st.Status != shim.StatusRunning {
		t.Fatalf("running container after a shim crash: %+v", st)
	}
	// Its output fifos were reopened: what it writes now is logged and
	// reaches an attach.
	conn, err := e.c.Attach(e.ctx, adopted, shim.AttachOptions{Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := e.c.Kill(e.ctx, adopted, syscall.SIGUSR1, false); err != nil {
		t.Fatal(err)
	}
	readUntil(t, conn, "got-usr1\n")
	// The adopted container still takes signals; its end is reported.
	if err := e.c.Kill(e.ctx, adopted, syscall.SIGKILL, false); err != nil {
		t.Fatal(err)
	}
	if st := e.wait(adopted); st.ExitCode != shim.ExitCodeLost || st.Reason == "" {
		t.Errorf("adopted container's end: %+v", st)
	}
	if fileSize(t, adoptedLog) <= logSize {
		t.Errorf("the adopted container's log did not grow after the crash")
	}
	if !strings.Contains(readFile(t, adoptedLog), `"log":"got-usr1\n","stream":"stdout"`) {
		t.Errorf("the new shim did not log the adopted container's output")
	}
	for _, id := range []string{recorded, adopted, diedUnwatched} {
		if err := e.c.Delete(e.ctx, id); err != nil {
			t.Errorf("delete %s: %v", id, err)
		}
	}
}

func listByID(t *testing.T, e *env) map[string]shim.State {
	t.Helper()
	list, err := e.c.List(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]shim.State{}
	for _, st := range list {
		m[st.ID] = st
	}
	return m
}

// A shim whose state dir is removed (a test's scratch dir, say) can never
// be reached again: it exits instead of leaking.
func TestShimExitsWhenItsSocketIsRemoved(t *testing.T) {
	e := newEnv(t)
	pid, err := e.c.Pid(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(e.opts.StateDir, shim.SocketName)); err != nil {
		t.Fatal(err)
	}
	waitGone(pid) // polls up to 5 s; the shim checks every 5 s
	for i := 0; i < 100; i++ {
		if gone(pid) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("shim %d still runs after its socket was removed", pid)
}

func gone(pid int) bool {
	data, err := os.ReadFile("/proc/" + itoa(pid) + "/stat")
	return err != nil || strings.Contains(string(data), ") Z ")
}
