package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestBugRunAsUserWithSeccomp: a non-root user under the default seccomp
// profile, without no-new-privileges (the default), both through berth
// and the docker CLI.
func TestBugRunAsUserWithSeccomp(t *testing.T) {
	needRoot(t)
	d := dockerContainerDaemon(t)
	want := "uid=1000 gid=1000"
	if out := d.ok(t, "run", "--rm", "-u", "1000:1000", "busybox", "id"); !strings.HasPrefix(out, want) {
		t.Errorf("berth run -u 1000:1000 busybox id = %q, want %q", out, want)
	}
	if out := d.mustDocker(t, "run", "--rm", "-u", "1000:1000", "busybox", "id"); !strings.HasPrefix(out, want) {
		t.Errorf("docker run -u 1000:1000 busybox id = %q, want %q", out, want)
	}
}

// TestBugCommitClimbingSymlink: a container's symlink pointing above its
// root (Docker stores it as is) is committed into an image that runs,
// and a tarball holding one imports.
func TestBugCommitClimbingSymlink(t *testing.T) {
	needRoot(t)
	d := cliContainerDaemon(t)
	name := "climb-" + randomHex(t, 4)
	d.ok(t, "run", "--name", name, "busybox", "ln", "-s", "../../../../etc", "/up")
	t.Cleanup(func() { d.berth(t, nil, "rm", "-f", name) })
	d.ok(t, "commit", name, "climbing:1")
	if out := d.ok(t, "run", "--rm", "climbing:1", "readlink", "/up"); out != "../../../../etc\n" {
		t.Errorf("readlink /up in the committed image = %q", out)
	}
	if out := d.ok(t, "run", "--rm", "climbing:1", "cat", "/up/hostname"); out == "" {
		t.Error("/up/hostname is empty: the symlink should resolve to the container's /etc")
	}
}

// TestBugCommitMessageAndChanges: docker commit -m sets the image's
// Comment, and -c applies the Dockerfile instructions Docker allows.
func TestBugCommitMessageAndChanges(t *testing.T) {
	needRoot(t)
	d := dockerContainerDaemon(t)
	name := "commitc-" + randomHex(t, 4)
	d.mustDocker(t, "run", "--name", name, "busybox", "true")
	d.mustDocker(t, "commit", "-m", "my message", "-a", "Ann",
		"-c", `CMD ["echo","from-cmd"]`, "-c", "ENV A=1 B=2", "-c", "EXPOSE 8080", "-c", `LABEL x=y`,
		"-c", "ONBUILD RUN echo hi", "-c", "STOPSIGNAL SIGINT", "-c", "USER 1000", "-c", "VOLUME /data",
		"-c", "WORKDIR /tmp", "-c", `ENTRYPOINT ["/bin/env"]`, name, "committed:1")
	for tmpl, want := range map[string]string{
		"{{.Comment}}":                  "my message",
		"{{.Author}}":                   "Ann",
		"{{json .Config.Cmd}}":          `["echo","from-cmd"]`,
		"{{json .Config.Entrypoint}}":   `["/bin/env"]`,
		"{{json .Config.ExposedPorts}}": `{"8080/tcp":{}}`,
		"{{.Config.Labels.x}}":          "y",
		"{{json .Config.OnBuild}}":      `["RUN echo hi"]`,
		"{{.Config.StopSignal}}":        "SIGINT",
		"{{.Config.User}}":              "1000",
		"{{json .Config.Volumes}}":      `{"/data":{}}`,
		"{{.Config.WorkingDir}}":        "/tmp",
	} {
		if got := d.inspectField(t, "committed:1", tmpl); got != want {
			t.Errorf("inspect %s = %q, want %q", tmpl, got, want)
		}
	}
	env := d.inspectField(t, "committed:1", "{{json .Config.Env}}")
	if !strings.Contains(env, `"A=1"`) || !strings.Contains(env, `"B=2"`) {
		t.Errorf("Env = %s, want A=1 and B=2", env)
	}
	r := d.docker(t, nil, "commit", "-c", "RUN echo no", name, "committed:2")
	if r.code == 0 || !strings.Contains(r.stderr, "RUN") {
		t.Errorf("commit -c RUN: %s, want a refusal naming RUN", r)
	}
}

// TestBugConsoleSizeAtCreate: HostConfig.ConsoleSize (docker run -it sends
// the terminal's size at create) is the pty's size when the process
// starts, before any resize request.
func TestBugConsoleSizeAtCreate(t *testing.T) {
	needRoot(t)
	d := dockerContainerDaemon(t)
	name := "consize-" + randomHex(t, 4)
	body := `{"Image":"busybox","Cmd":["stty","size"],"Tty":true,"HostConfig":{"ConsoleSize":[37,111]}}`
	if code, msg, _ := apiCall(t, d, "POST", "/containers/create?name="+name, strings.NewReader(body)); code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, msg)
	}
	d.mustDocker(t, "start", name)
	if code := d.mustDocker(t, "wait", name); code != "0" {
		t.Fatalf("stty size exited %s", code)
	}
	if out := strings.TrimSpace(d.mustDocker(t, "logs", name)); out != "37 111" {
		t.Errorf("stty size = %q, want \"37 111\"", out)
	}
}
