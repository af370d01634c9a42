package shim_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/shim"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestAttachPipesBeforeStart(t *testing.T) {
	e := newEnv(t)
	id, req := e.create(false, "sh", "-c", "cat; echo done >&2; exit 2")
	req.OpenStdin, req.StdinOnce = true, true
	e.mustCreate(req)
	// Attached before start, as docker run: nothing is lost.
	conn, err := e.c.Attach(e.ctx, id, shim.AttachOptions{Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := e.c.Start(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, "hello\nworld\n"); err != nil {
		t.Fatal(err)
	}
	closeWrite(t, conn) // EOF on cat's stdin
	stdout, stderr := demux(t, conn)
	if stdout != "hello\nworld\n" || stderr != "done\n" {
		t.Errorf("stdout %q stderr %q", stdout, stderr)
	}
	if st := e.wait(id); st.ExitCode != 2 {
		t.Errorf("exit %d, want 2", st.ExitCode)
	}
	if err := e.c.Resize(e.ctx, id, 80, 24); !errors.Is(err, errdefs.ErrFailedPrecondition) {
		t.Errorf("resize without a terminal: %v", err)
	}
}

func TestAttachTerminal(t *testing.T) {
	e := newEnv(t)
	id, req := e.create(true, "sh", "-c", "stty size; read line; echo got:$line")
	req.OpenStdin = true
	e.mustCreate(req)
	if err := e.c.Resize(e.ctx, id, 123, 45); err != nil {
		t.Fatal(err)
	}
	conn, err := e.c.Attach(e.ctx, id, shim.AttachOptions{Stdin: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := e.c.Start(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	// Wait for the size line before typing, as a user would.
	out := readUntil(t, conn, "45 123")
	if _, err := io.WriteString(conn, "typed\n"); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(conn)
	all := out + string(rest)
	// Raw terminal output: the tty's \r\n, no multiplexing headers.
	if !strings.Contains(all, "45 123\r\n") || !strings.Contains(all, "got:typed\r\n") || strings.ContainsRune(all, 0) {
		t.Errorf("terminal output %q", all)
	}
	if st := e.wait(id); st.ExitCode != 0 {
		t.Errorf("exit %d", st.ExitCode)
	}
	// The terminal's output is logged as stdout.
	if data := readFile(t, req.Log.Path); !strings.Contains(data, `"log":"got:typed\r\n","stream":"stdout"`) {
		t.Errorf("log of a terminal container:\n%s", data)
	}
}

func TestExec(t *testing.T) {
	e := newEnv(t)
	id := e.run("sleep", "1000")
	proc := &specs.Process{Args: []string{"sh", "-c", "cat; echo from-exec >&2; exit 5"}, Cwd: "/", Env: []string{"PATH=/bin"}}
	pid, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: id + "-exec1", Process: proc, OpenStdin: true})
	if err != nil || pid <= 0 {
		t.Fatalf("exec: %d %v", pid, err)
	}
	conn, err := e.c.Attach(e.ctx, id+"-exec1", shim.AttachOptions{Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "to-exec\n")
	closeWrite(t, conn)
	stdout, stderr := demux(t, conn)
	if stdout != "to-exec\n" || stderr != "from-exec\n" {
		t.Errorf("exec stdout %q stderr %q", stdout, stderr)
	}
	if st := e.wait(id + "-exec1"); st.ExitCode != 5 || st.Status != shim.StatusStopped {
		t.Errorf("exec state %+v, want exit 5", st)
	}
	// Output of an exec that ends before anyone attaches is kept for the
	// first attach.
	quick := &specs.Process{Args: []string{"echo", "early"}, Cwd: "/", Env: []string{"PATH=/bin"}}
	if _, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: id + "-exec2", Process: quick}); err != nil {
		t.Fatal(err)
	}
	e.wait(id + "-exec2")
	conn2, err := e.c.Attach(e.ctx, id+"-exec2", shim.AttachOptions{Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	if stdout, _ := demux(t, conn2); stdout != "early\n" {
		t.Errorf("kept exec output %q", stdout)
	}
	// The container is untouched by its execs.
	if st, _ := e.c.State(e.ctx, id); st.Status != shim.StatusRunning {
		t.Errorf("container after execs: %+v", st)
	}
	// Bad input: a missing binary, a reused exec ID, an unknown container.
	bad := &specs.Process{Args: []string{"no-such-cmd"}, Cwd: "/", Env: []string{"PATH=/bin"}}
	if _, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: id + "-exec3", Process: bad}); !errors.Is(err, shim.ErrExecutableNotFound) {
		t.Errorf("exec of a missing binary: %v", err)
	}
	if _, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: id + "-exec1", Process: quick}); !errors.Is(err, errdefs.ErrAlreadyExists) {
		t.Errorf("reused exec ID: %v", err)
	}
	if _, err := e.c.Exec(e.ctx, "nope", shim.ExecRequest{ExecID: "x1", Process: quick}); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("exec in an unknown container: %v", err)
	}
}

func TestExecTerminalResize(t *testing.T) {
	e := newEnv(t)
	id := e.run("sleep", "1000")
	proc := &specs.Process{Terminal: true, Args: []string{"sh", "-c", "read x; stty size"}, Cwd: "/", Env: []string{"PATH=/bin"}}
	eid := id + "-tty"
	if _, err := e.c.Exec(e.ctx, id, shim.ExecRequest{ExecID: eid, Process: proc, OpenStdin: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Resize(e.ctx, eid, 90, 33); err != nil {
		t.Fatal(err)
	}
	conn, err := e.c.Attach(e.ctx, eid, shim.AttachOptions{Stdin: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "go\n")
	out, _ := io.ReadAll(conn)
	if !strings.Contains(string(out), "33 90\r\n") {
		t.Errorf("exec terminal output %q", out)
	}
}

// readUntil reads from r until the output contains want.
func readUntil(t *testing.T, r io.Reader, want string) string {
	t.Helper()
	var buf bytes.Buffer
	b := make([]byte, 256)
	for !strings.Contains(buf.String(), want) {
		n, err := r.Read(b)
		buf.Write(b[:n])
		if err != nil {
			t.Fatalf("output ended before %q: %q (%v)", want, buf.String(), err)
		}
	}
	return buf.String()
}
