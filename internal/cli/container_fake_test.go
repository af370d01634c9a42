package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
)

// fakeEngine speaks just enough of Docker's Engine API, as Docker
// documents it, for run/create/ps to be tested without a daemon: a
// container "runs" when started, writes one line to stdout and one to
// stderr, and exits with the code given as its first argument.
type fakeEngine struct {
	mu      sync.Mutex
	created []container.CreateRequest
	names   []string
	exited  chan struct{} // closed when the container's output is done
	started chan struct{}
	calls   []string
}

var versionPrefix = regexp.MustCompile(`^/v[0-9.]+`)

func (f *fakeEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := versionPrefix.ReplaceAllString(r.URL.Path, "")
	f.mu.Lock()
	f.calls = append(f.calls, r.Method+" "+path)
	f.mu.Unlock()
	w.Header().Set("Api-Version", "1.52")
	errJSON := func(code int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]string{"message": msg})
	}
	switch {
	case r.Method == http.MethodDelete && strings.HasPrefix(path, "/containers/"):
		w.WriteHeader(204)
	case path == "/_ping":
		w.Write([]byte("OK"))
	case path == "/containers/create":
		var req container.CreateRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			errJSON(400, err.Error())
			return
		}
		if req.Image == "missing" {
			errJSON(404, "No such image: missing:latest")
			return
		}
		f.mu.Lock()
		f.created = append(f.created, req)
		f.names = append(f.names, r.URL.Query().Get("name"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		json.NewEncoder(w).Encode(container.CreateResponse{ID: strings.Repeat("c", 64), Warnings: []string{"be careful"}})
	case path == "/images/missing/json":
		errJSON(404, "No such image: missing:latest")
	case path == "/images/create":
		errJSON(404, "pull access denied for missing: repository does not exist")
	case strings.HasSuffix(path, "/attach"):
		f.attach(w)
	case strings.HasSuffix(path, "/wait"):
		// As Docker's daemon: the headers go at once, the body at the exit.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		<-f.exited
		json.NewEncoder(w).Encode(container.WaitResponse{StatusCode: int64(f.exitCode())})
	case strings.HasSuffix(path, "/start"):
		if cmd := f.lastCmd(); len(cmd) > 0 && cmd[0] == "nope" {
			errJSON(400, `failed to create task: exec: "nope": executable file not found in $PATH`)
			close(f.exited)
			return
		}
		close(f.started)
		w.WriteHeader(204)
	default:
		errJSON(404, "page not found")
	}
}

func (f *fakeEngine) lastCmd() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.created) == 0 || f.created[len(f.created)-1].Config == nil {
		return nil
	}
	return f.created[len(f.created)-1].Cmd
}

func (f *fakeEngine) exitCode() int {
	if cmd := f.lastCmd(); len(cmd) > 0 {
		switch cmd[0] {
		case "3":
			return 3
		case "0":
			return 0
		}
	}
	return 1
}

// attach hijacks the connection as Docker's attach does and, once the
// container is started, writes its multiplexed output.
func (f *fakeEngine) attach(w http.ResponseWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	buf.WriteString("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
	buf.Flush()
	select {
	case <-f.started:
	case <-f.exited: // the start failed
		return
	}
	conn.Write(frame(stdcopy.Stdout, "hello from the container\n"))
	conn.Write(frame(stdcopy.Stderr, "a warning\n"))
	close(f.exited)
}

// frame is one block of Docker's multiplexed stream: the stream number,
// three zero bytes, the big-endian length, the payload.
func frame(stream stdcopy.StdType, payload string) []byte {
	h := []byte{byte(stream), 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(h[4:], uint32(len(payload)))
	return append(h, payload...)
}

func newFakeEngine(t *testing.T) (*fakeEngine, string) {
	f := &fakeEngine{exited: make(chan struct{}), started: make(chan struct{})}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, "tcp://" + strings.TrimPrefix(srv.URL, "http://")
}

// runCLI runs the berth command line against host, as Execute does, and
// returns what it printed and its exit code.
func runCLI(t *testing.T, host string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := NewRootCommand([]string{host})
	var out, errb bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(strings.NewReader(""))
	err := root.ExecuteContext(context.Background())
	var st statusError
	switch {
	case err == nil:
	case errors.As(err, &st):
		code = st.code
		errb.WriteString(st.msg)
	default:
		code = ExitFailure
		errb.WriteString(errorLine(err))
	}
	return out.String(), errb.String(), code
}

func TestRunAttachesStreamsAndReturnsExitCode(t *testing.T) {
	f, host := newFakeEngine(t)
	stdout, stderr, code := runCLI(t, host, "run", "--rm", "--name", "job", "-e", "A=1", "busybox", "3", "arg")
	if code != 3 {
		t.Fatalf("exit code %d, want the container's 3; stderr: %s", code, stderr)
	}
	if stdout != "hello from the container\n" || !strings.Contains(stderr, "a warning\n") || !strings.Contains(stderr, "WARNING: be careful") {
		t.Errorf("stdout %q, stderr %q", stdout, stderr)
	}
	req := f.created[0]
	if f.names[0] != "job" || req.Image != "busybox" || !req.HostConfig.AutoRemove || !req.AttachStdout || !req.AttachStderr ||
		req.AttachStdin || !cmpStrings(req.Cmd, []string{"3", "arg"}) || !cmpStrings(req.Env, []string{"A=1"}) {
		t.Errorf("create request: name %q, %+v, %+v", f.names[0], req.Config, req.HostConfig)
	}
	// The attach and the wait are in place before the start, so that no
	// output and no exit is missed.
	order := strings.Join(f.calls, ",")
	if !regexp.MustCompile(`/attach.*/wait.*/start`).MatchString(order) {
		t.Errorf("calls %s: want attach, wait, then start", order)
	}
}

func TestRunDetachedPrintsID(t *testing.T) {
	f, host := newFakeEngine(t)
	stdout, stderr, code := runCLI(t, host, "run", "-d", "busybox", "sleep", "1000")
	if code != 0 || stdout != strings.Repeat("c", 64)+"\n" {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	if req := f.created[0]; req.AttachStdout || req.AttachStderr {
		t.Errorf("-d attached: %+v", req.Config)
	}
	for _, c := range f.calls {
		if strings.HasSuffix(c, "/attach") {
			t.Errorf("-d attached: %v", f.calls)
		}
	}
}

func TestRunFailures(t *testing.T) {
	f, host := newFakeEngine(t)
	_, stderr, code := runCLI(t, host, "run", "--rm", "busybox", "nope")
	if code != ExitNotFound || !strings.Contains(stderr, "executable file not found") {
		t.Errorf("missing command: exit %d, stderr %q; want 127", code, stderr)
	}
	if calls := strings.Join(f.calls, ","); !strings.Contains(calls, "/start,DELETE /containers/") {
		t.Errorf("calls %s: the --rm container was not removed after its failed start", calls)
	}
	_, stderr, code = runCLI(t, host, "run", "--pull", "never", "missing")
	if code != ExitFailure || !strings.Contains(stderr, "No such image: missing") {
		t.Errorf("missing image: exit %d, stderr %q; want 125 naming the image", code, stderr)
	}
	_, stderr, code = runCLI(t, host, "run", "missing")
	if code != ExitFailure || !strings.Contains(stderr, "Unable to find image 'missing' locally") || !strings.Contains(stderr, "pull access denied") {
		t.Errorf("missing image with pull: exit %d, stderr %q", code, stderr)
	}
	n := len(f.created)
	_, stderr, code = runCLI(t, host, "run", "-it", "busybox", "sh")
	if code != 1 || !strings.Contains(stderr, "the input device is not a TTY") || len(f.created) != n {
		t.Errorf("-it without a terminal: exit %d, stderr %q, %d creates (want none)", code, stderr, len(f.created)-n)
	}
	_, stderr, code = runCLI(t, host, "run", "--memory", "12x", "busybox")
	if code != ExitFailure || !strings.Contains(stderr, `"12x"`) || len(f.created) != n {
		t.Errorf("--memory 12x: exit %d, stderr %q, %d creates (want none)", code, stderr, len(f.created)-n)
	}
}

func cmpStrings(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }
