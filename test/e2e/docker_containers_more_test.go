package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDockerCopyDiffCommitExport(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "box", "busybox", "sh", "-c", "echo made > /made; rm /bin/vi; sleep 60")
	pollUntil(t, "the container's changes", func() bool { return d.docker(t, nil, "exec", "box", "cat", "/made").stdout == "made\n" })
	diff := d.mustDocker(t, "diff", "box")
	for _, want := range []string{"A /made", "D /bin/vi", "C /bin"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
	if strings.Contains(diff, "/etc/hostname") || strings.Contains(diff, "/proc") {
		t.Errorf("diff shows the runtime's mount points:\n%s", diff)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "in.txt")
	os.WriteFile(src, []byte("copied in\n"), 0o644)
	d.mustDocker(t, "cp", src, "box:/tmp/")
	if got := d.mustDocker(t, "exec", "box", "cat", "/tmp/in.txt"); got != "copied in" {
		t.Errorf("cp into the container: %q", got)
	}
	d.mustDocker(t, "cp", "box:/made", filepath.Join(dir, "out"))
	if b, _ := os.ReadFile(filepath.Join(dir, "out")); string(b) != "made\n" {
		t.Errorf("cp out of the container: %q", b)
	}
	// A path that climbs out of the container stays inside it.
	if r := d.docker(t, nil, "cp", "box:../../../../etc/shadow", filepath.Join(dir, "shadow")); r.code == 0 {
		t.Errorf("cp of ../../etc/shadow succeeded: %s", r)
	}
	d.mustDocker(t, "commit", "box", "committed:v1")
	if got := d.mustDocker(t, "run", "--rm", "committed:v1", "sh", "-c", "cat /made; test -e /bin/vi || echo no-vi"); got != "made\nno-vi" {
		t.Errorf("committed image: %q", got)
	}
	d.mustDocker(t, "commit", "-c", `CMD ["cat", "/made"]`, "-c", "ENV COMMITTED=yes", "box", "committed:v2")
	if got := d.mustDocker(t, "run", "--rm", "committed:v2"); got != "made" {
		t.Errorf("commit --change CMD: %q", got)
	}
	if r := d.docker(t, nil, "commit", "-c", "RUN true", "box", "committed:bad"); r.code == 0 {
		t.Errorf("commit --change RUN accepted: %s", r)
	}
	// A container never started yet takes files too.
	d.mustDocker(t, "create", "--name", "fresh", "busybox", "cat", "/tmp/in.txt")
	d.mustDocker(t, "cp", src, "fresh:/tmp/")
	if got := d.mustDocker(t, "start", "-a", "fresh"); got != "copied in" {
		t.Errorf("cp into a created container, then start -a: %q", got)
	}
	r := d.docker(t, nil, "export", "box")
	if r.code != 0 || !strings.Contains(r.stdout, "made\n") {
		t.Errorf("export: exit %d, %d bytes", r.code, len(r.stdout))
	}
}

func TestDockerTopStatsPauseRenameKillWait(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "worker", "busybox", "sleep", "60")
	// run -d returns once the container's init was told to exec (as
	// runc's start does); for an instant during that execve the process
	// has its new name but no command line yet (ps shows "[sleep]").
	var top string
	pollUntil(t, "top to show the command", func() bool {
		top = d.mustDocker(t, "top", "worker")
		return strings.Contains(top, "sleep 60")
	})
	if !strings.Contains(top, "PID") {
		t.Errorf("top:\n%s", top)
	}
	stats := d.mustDocker(t, "stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "worker")
	if stats != "worker 1" {
		t.Errorf("stats = %q", stats)
	}
	d.mustDocker(t, "pause", "worker")
	if got := d.inspectField(t, "worker", "{{.State.Status}} {{.State.Paused}}"); got != "paused true" {
		t.Errorf("after pause: %q", got)
	}
	d.mustDocker(t, "unpause", "worker")
	d.mustDocker(t, "rename", "worker", "renamed")
	d.mustDocker(t, "kill", "renamed")
	if got := d.mustDocker(t, "wait", "renamed"); got != "137" {
		t.Errorf("wait after kill = %q", got)
	}
	if r := d.docker(t, nil, "kill", "renamed"); r.code == 0 || !strings.Contains(r.stderr, "is not running") {
		t.Errorf("kill of a stopped container: %s", r)
	}
	out := d.mustDocker(t, "container", "prune", "-f")
	if !strings.Contains(out, "Deleted Containers") {
		t.Errorf("prune: %q", out)
	}
	if got := d.mustDocker(t, "ps", "-aq"); got != "" {
		t.Errorf("after prune: %q", got)
	}
}

func TestDockerHealthInitOOMAndSecurity(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "checked", "--health-cmd", "test -f /tmp/ok", "--health-interval", "100ms", "--health-retries", "2", "busybox", "sleep", "60")
	pollUntil(t, "unhealthy", func() bool { return d.inspectField(t, "checked", "{{.State.Health.Status}}") == "unhealthy" })
	d.mustDocker(t, "exec", "checked", "touch", "/tmp/ok")
	pollUntil(t, "healthy", func() bool {
		return d.mustDocker(t, "ps", "--filter", "health=healthy", "--format", "{{.Names}}") == "checked"
	})
	if got := d.mustDocker(t, "run", "--rm", "--init", "busybox", "ps", "-o", "pid,args"); !strings.Contains(got, "1 /sbin/berth-init -- ps") {
		t.Errorf("--init: ps shows\n%s", got)
	}
	if r := d.docker(t, nil, "run", "--rm", "--init", "busybox", "sh", "-c", "exit 7"); r.code != 7 {
		t.Errorf("--init exit code: %s", r)
	}
	r := d.docker(t, nil, "run", "--name", "hog", "--memory", "16m", "--memory-swap", "16m", "busybox", "sh", "-c", "x=a; while true; do x=$x$x; done")
	if r.code != 137 {
		t.Errorf("OOM run: %s", r)
	}
	if got := d.inspectField(t, "hog", "{{.State.OOMKilled}} {{.State.ExitCode}}"); got != "true 137" {
		t.Errorf("OOM inspect = %q", got)
	}
	got := d.mustDocker(t, "run", "--rm", "--read-only", "--tmpfs", "/scratch", "--cap-drop", "ALL", "busybox", "sh", "-c",
		"touch /x 2>/dev/null || echo ro; echo w > /scratch/f && cat /scratch/f; grep CapEff /proc/self/status")
	if got != "ro\nw\nCapEff:\t0000000000000000" {
		t.Errorf("read-only/tmpfs/cap-drop: %q", got)
	}
	if r := d.docker(t, nil, "exec", "checked", "no-such-command"); r.code != 127 {
		t.Errorf("exec of a missing command: %s", r)
	}
}

func TestDockerEventsAndLogsFollow(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "talker", "busybox", "sh", "-c", "for i in 1 2 3; do echo line$i; sleep 0.2; done")
	if got := d.mustDocker(t, "logs", "-f", "talker"); got != "line1\nline2\nline3" {
		t.Errorf("logs -f = %q", got)
	}
	if got := d.mustDocker(t, "logs", "--tail", "1", "talker"); got != "line3" {
		t.Errorf("logs --tail 1 = %q", got)
	}
	d.mustDocker(t, "wait", "talker")
	// attach with logs=1 sends the past output, multiplexed.
	aresp, err := apiClient(d).Post("http://berth/containers/talker/attach?logs=1&stdout=1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	frames, _ := io.ReadAll(aresp.Body)
	aresp.Body.Close()
	if want := "\x01\x00\x00\x00\x00\x00\x00\x06line1\n"; !strings.HasPrefix(string(frames), want) {
		t.Errorf("attach logs=1 = %q, want it to start with %q", frames, want)
	}
	// The docker CLI sends since/until in whole seconds, which can leave
	// out the events of the current second (Docker's as well); the API
	// takes nanoseconds.
	until := fmt.Sprintf("%.9f", float64(time.Now().UnixNano())/1e9)
	resp, err := apiClient(d).Get("http://berth/events?since=1&until=" + until + "&filters=" + url.QueryEscape(`{"container":{"talker":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ev := string(b)
	for _, want := range []string{`"create"`, `"start"`, `"die"`} {
		if !strings.Contains(ev, want) {
			t.Errorf("events lack %q:\n%s", want, ev)
		}
	}
}

func TestDockerInteractiveTTY(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is needed to give the docker CLI a terminal")
	}
	d := dockerContainerDaemon(t)
	home := t.TempDir()
	env := []string{"DOCKER_HOST=" + d.host, "DOCKER_CONFIG=" + filepath.Join(home, ".docker"), "HOME=" + home}
	// script gives the CLI a pty; the input stays open for a moment so
	// that the session ends by the shell's exit, not by the input's EOF.
	cmd := `(printf 'echo typed-$((1+2))\nexit 5\n'; sleep 1) | ` + script + ` -eqc "` + dockerBin + ` run -it --rm busybox sh" /dev/null`
	r := runCmd(t, nil, env, "/bin/sh", "-c", cmd)
	out := strings.ReplaceAll(r.stdout, "\r", "")
	if r.code != 5 || !strings.Contains(out, "\ntyped-3\n") {
		t.Errorf("run -it: %s", r)
	}
	d.mustDocker(t, "run", "-d", "--name", "tty", "busybox", "sleep", "60")
	cmd = `(sleep 1) | ` + script + ` -eqc "` + dockerBin + ` exec -it tty sh -c 'tty; exit 3'" /dev/null`
	r = runCmd(t, nil, env, "/bin/sh", "-c", cmd)
	if r.code != 3 || !strings.Contains(r.stdout, "/dev/pts/") {
		t.Errorf("exec -it: %s", r)
	}
}

func TestDockerPublishedPortAndNetworkAlias(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "web", "-p", "127.0.0.1::80", "busybox", "httpd", "-f", "-p", "80", "-h", "/etc")
	port := d.mustDocker(t, "port", "web", "80/tcp")
	if !strings.HasPrefix(port, "127.0.0.1:") {
		t.Fatalf("docker port = %q", port)
	}
	var body string
	pollUntil(t, "the published port to answer", func() bool {
		resp, err := http.Get("http://" + port + "/hostname")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == 200
	})
	if id := d.inspectField(t, "web", "{{.Id}}"); body != id[:12]+"\n" {
		t.Errorf("served /etc/hostname = %q, want the short ID", body)
	}
	d.mustDocker(t, "network", "create", "appnet")
	d.mustDocker(t, "run", "-d", "--name", "db", "--network", "appnet", "--network-alias", "database", "busybox", "sleep", "60")
	got := d.mustDocker(t, "run", "--rm", "--network", "appnet", "busybox", "sh", "-c", "ping -c1 -W5 database >/dev/null && echo reached")
	if got != "reached" {
		t.Errorf("alias on a user-defined network: %q", got)
	}
	// (The docker CLI takes any 404 of create for a missing image and
	// tries a pull, so the API is asked directly.)
	code, body, _ := apiCall(t, d, "POST", "/containers/create", strings.NewReader(`{"Image":"busybox","HostConfig":{"NetworkMode":"no-such-net"}}`))
	if code != http.StatusNotFound || !strings.Contains(body, "no-such-net") {
		t.Errorf("unknown network: %d %s", code, body)
	}
}
