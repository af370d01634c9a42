package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// execStartDetached creates an exec of cmd in container id and starts it
// detached (POST /containers/{id}/exec, POST /exec/{id}/start), as
// docker exec -d does, and returns the exec's ID, which the CLI hides.
func execStartDetached(t *testing.T, d *daemon, id string, cmd ...string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"Cmd": cmd})
	var created struct{ ID string }
	if code := execAPI(t, d, "POST", "/containers/"+id+"/exec", string(body), &created); code != http.StatusCreated || created.ID == "" {
		t.Fatalf("exec create %v: status %d, ID %q", cmd, code, created.ID)
	}
	if code := execAPI(t, d, "POST", "/exec/"+created.ID+"/start", `{"Detach":true}`, nil); code != http.StatusOK {
		t.Fatalf("exec start %v: status %d", cmd, code)
	}
	return created.ID
}

// execInfo is what GET /exec/{id}/json tells.
type execInfo struct {
	Running  bool
	ExitCode *int
	Pid      int
}

// inspectExec returns the HTTP status of GET /exec/{id}/json and, on 200,
// what it says.
func inspectExec(t *testing.T, d *daemon, execID string) (int, execInfo) {
	t.Helper()
	var x execInfo
	code := execAPI(t, d, "GET", "/exec/"+execID+"/json", "", &x)
	return code, x
}

func execAPI(t *testing.T, d *daemon, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, "http://berth"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := apiClient(d).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %q", method, path, err, data)
		}
	}
	return resp.StatusCode
}

// shimState asks d's container monitor (berth-shim ctl) for a container's
// or an exec's status; "" when it does not know it.
func shimState(t *testing.T, d *daemon, id string) string {
	t.Helper()
	r := runCmd(t, nil, nil, filepath.Join(bindir, "berth-shim"), "ctl", "--state-dir", filepath.Join(d.execRoot, "shim"), "state", id)
	if r.code != 0 {
		return ""
	}
	var st struct{ Status string }
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("berth-shim ctl state %s: %v in %q", id, err, r.stdout)
	}
	return st.Status
}

// TestExecRecordsForgottenAfterRestartAndStop: the container monitor
// keeps no exec record the daemon cannot ask about. Execs that finish
// while the daemon runs leave nothing once their code was read; of the
// execs running when the daemon is SIGKILLed, one that ends while it is
// down leaves an exit record only until the next daemon starts, one that
// ends later leaves none, one that runs on keeps running. Execs keep
// working (docker exec, exec -d, inspect of an exec) after the restart,
// and stopping the container drops every record of it in the monitor,
// while the exec instances of its last run stay inspectable until it
// starts again.
func TestExecRecordsForgottenAfterRestartAndStop(t *testing.T) {
	d := dockerContainerDaemon(t)
	id := d.mustDocker(t, "run", "-d", "--network", "none", "busybox", "sleep", "1000")
	records := func() []string {
		files, err := filepath.Glob(filepath.Join(d.execRoot, "shim", "containers", id, "exec-*.json"))
		if err != nil {
			t.Fatal(err)
		}
		return files
	}

	// Finished while the daemon runs: inspected (the CLI reads the code),
	// never inspected (exec -d), inspected through the API.
	if r := d.docker(t, nil, "exec", id, "sh", "-c", "exit 3"); r.code != 3 {
		t.Fatalf("docker exec sh -c 'exit 3': %s, want exit 3", r)
	}
	d.mustDocker(t, "exec", "-d", id, "true")
	quick := execStartDetached(t, d, id, "sh", "-c", "exit 5")
	pollUntil(t, "the detached exec to finish", func() bool { _, x := inspectExec(t, d, quick); return !x.Running && x.ExitCode != nil })
	if _, x := inspectExec(t, d, quick); *x.ExitCode != 5 {
		t.Fatalf("exec inspect exit code %d, want 5", *x.ExitCode)
	}
	// Running when the daemon dies.
	endsWhileDown := execStartDetached(t, d, id, "sleep", "1001")
	endsAfter := execStartDetached(t, d, id, "sleep", "1002")
	runsOn := execStartDetached(t, d, id, "sleep", "1003")
	pids := map[string]int{}
	for _, x := range []string{endsWhileDown, endsAfter, runsOn} {
		code, info := inspectExec(t, d, x)
		if code != http.StatusOK || !info.Running || info.Pid <= 0 {
			t.Fatalf("exec inspect of a running exec: status %d, %+v", code, info)
		}
		pids[x] = info.Pid
	}
	pollUntil(t, "the finished execs' records to be forgotten", func() bool { return len(records()) == 0 })

	d.kill()
	if err := syscall.Kill(pids[endsWhileDown], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Nobody asks for it now: the monitor keeps its exit record.
	pollUntil(t, "the monitor to record the exec that ended", func() bool { return len(records()) == 1 })
	if got := shimState(t, d, endsWhileDown); got != "stopped" {
		t.Fatalf("monitor's state of the exec that ended while the daemon was down: %q, want stopped", got)
	}

	d.start(t)
	t.Cleanup(func() { removeAllContainers(t, d) })
	if got := d.inspectField(t, id, "{{.State.Status}}"); got != "running" {
		t.Fatalf("container after the daemon restart: %q, want running", got)
	}
	if files := records(); len(files) != 0 {
		t.Errorf("exit records after the daemon restart: %v, want none", files)
	}
	if got := shimState(t, d, endsWhileDown); got != "" {
		t.Errorf("the monitor still knows the exec that ended while the daemon was down: %q", got)
	}
	for _, x := range []string{endsAfter, runsOn} {
		if got := shimState(t, d, x); got != "running" {
			t.Errorf("an exec running across the restart: monitor says %q, want running", got)
		}
	}
	// As dockerd, the new daemon knows none of the last one's execs.
	for _, x := range []string{quick, endsWhileDown, runsOn} {
		if code, _ := inspectExec(t, d, x); code != http.StatusNotFound {
			t.Errorf("exec inspect of an exec of the last daemon: status %d, want 404", code)
		}
	}
	if err := syscall.Kill(pids[endsAfter], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, "the monitor to drop the exec that ended after the restart", func() bool { return shimState(t, d, endsAfter) == "" })
	if files := records(); len(files) != 0 {
		t.Errorf("the exec that ended after the restart left exit records: %v", files)
	}
	if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pids[runsOn]))); err != nil {
		t.Errorf("the exec that runs on is gone: %v", err)
	}

	// Execs work as before with the new daemon.
	if out := d.mustDocker(t, "exec", id, "echo", "hi"); out != "hi" {
		t.Errorf("docker exec echo hi after the restart = %q", out)
	}
	if out := strings.TrimSpace(d.ok(t, "exec", id, "echo", "hello")); out != "hello" {
		t.Errorf("berth exec echo hello after the restart = %q", out)
	}
	d.mustDocker(t, "exec", "-d", id, "true")
	last := execStartDetached(t, d, id, "sleep", "1004")
	pollUntil(t, "the finished execs' records to be forgotten after the restart", func() bool { return len(records()) == 0 })

	// Stop: the monitor forgets the container and all its execs; the
	// exec the stop ended can still be inspected until the next start,
	// and a docker exec attached to it gets its exit code.
	attached := exec.Command(dockerBin, "exec", id, "sleep", "1005")
	home := t.TempDir()
	attached.Env = append(cleanEnv(), "DOCKER_HOST="+d.host, "DOCKER_CONFIG="+filepath.Join(home, ".docker"), "HOME="+home)
	attachedOut := make(chan string, 1)
	go func() { out, _ := attached.CombinedOutput(); attachedOut <- string(out) }()
	t.Cleanup(func() {
		if attached.Process != nil {
			_ = attached.Process.Kill()
		}
	})
	pollUntil(t, "the attached docker exec to run", func() bool { return d.inspectField(t, id, "{{len .ExecIDs}}") == "2" })
	d.mustDocker(t, "stop", "-t", "1", id)
	out := <-attachedOut
	if code := attached.ProcessState.ExitCode(); code != 137 && code != 143 {
		t.Errorf("docker exec attached to an exec the stop ended: exit %d (%q), want 137 or 143", code, out)
	}
	pollUntil(t, "the monitor to forget the stopped container", func() bool {
		_, err := os.Stat(filepath.Join(d.execRoot, "shim", "containers", id))
		return os.IsNotExist(err)
	})
	for _, x := range []string{runsOn, last} {
		if got := shimState(t, d, x); got != "" {
			t.Errorf("the monitor still knows exec %s of the stopped container: %q", x, got)
		}
	}
	pollUntil(t, "the exec ended by the stop to have an exit code", func() bool { _, x := inspectExec(t, d, last); return x.ExitCode != nil })
	if code, x := inspectExec(t, d, last); code != http.StatusOK || x.Running {
		t.Errorf("exec inspect after the container stopped: status %d, %+v", code, x)
	}
	d.mustDocker(t, "start", id)
	if code, _ := inspectExec(t, d, last); code != http.StatusNotFound {
		t.Errorf("exec inspect of the previous run's exec after start: status %d, want 404", code)
	}
}
