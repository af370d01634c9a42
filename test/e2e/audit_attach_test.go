package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// docker attach on a terminal reaches the container's shell; ctrl-p
// ctrl-q (or --detach-keys) detaches and leaves the container running.
func TestAuditDockerAttachDetachKeys(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is needed to give the docker CLI a terminal")
	}
	d := dockerContainerDaemon(t)
	home := t.TempDir()
	env := []string{"DOCKER_HOST=" + d.host, "DOCKER_CONFIG=" + filepath.Join(home, ".docker"), "HOME=" + home}
	d.mustDocker(t, "run", "-dit", "--name", "att", "busybox", "sh")
	for _, tc := range []struct{ flags, keys string }{{"", `\020\021`}, {"--detach-keys ctrl-x", `\030`}} {
		// The pauses let the shell answer before the next input; only
		// the outcome is checked.
		input := `(sleep 0.5; printf 'echo attached-$((40+2))\n'; sleep 0.5; printf '` + tc.keys + `'; sleep 1)`
		r := runCmd(t, nil, env, "/bin/sh", "-c", input+" | "+script+" -eqc \""+dockerBin+" attach "+tc.flags+" att\" /dev/null")
		out := strings.ReplaceAll(r.stdout, "\r", "")
		if !strings.Contains(out, "attached-42") || !strings.Contains(out, "read escape sequence") {
			t.Errorf("attach %s: the shell's answer or the detach is missing: %s", tc.flags, r)
		}
		if got := d.inspectField(t, "att", "{{.State.Status}}"); got != "running" {
			t.Errorf("after detaching with %s: container %s", tc.keys, got)
		}
	}
}
