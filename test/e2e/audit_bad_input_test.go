package e2e

import (
	"strings"
	"testing"
)

// Bad run options fail with 125 and words naming what was wrong, and
// leave nothing behind; those Docker checks at create (the stop signal,
// the CPUs of --cpuset-cpus) are refused before anything runs.
func TestAuditDockerRunBadInput(t *testing.T) {
	d := dockerContainerDaemon(t)
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"-u", "nosuchuser"}, `unable to find user "nosuchuser"`},
		{[]string{"-w", "relative"}, `working directory "relative" is invalid`},
		{[]string{"--cap-add", "NOPE"}, `unknown capability "CAP_NOPE"`},
		{[]string{"--stop-signal", "NOPE"}, "Invalid signal: NOPE"},
		{[]string{"--restart", "bogus"}, "unknown policy 'bogus'"},
		{[]string{"--tmpfs", "relative"}, `invalid mount target "relative"`},
		{[]string{"--cpuset-cpus", "4096"}, "Requested CPUs are not available - requested 4096"},
		{[]string{"--cpuset-cpus", "1-0"}, "Invalid value 1-0 for cpuset cpus"},
	} {
		args := append([]string{"run"}, tc.args...)
		if tc.args[0] != "--restart" {
			args = append(args, "--rm")
		}
		args = append(args, "busybox", "true")
		r := d.docker(t, nil, args...)
		if r.code != 125 || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("docker %s: want 125 saying %q: %s", strings.Join(args, " "), tc.says, r)
		}
	}
	if r := d.docker(t, nil, "create", "--name", "bad/name", "busybox", "true"); r.code == 0 || !strings.Contains(r.stderr, "Invalid container name (bad/name)") {
		t.Errorf("create --name bad/name: %s", r)
	}
	if got := d.mustDocker(t, "ps", "-aq"); got != "" {
		t.Errorf("containers after the refused runs: %q", got)
	}
	if got := d.mustDocker(t, "volume", "ls", "-q"); got != "" {
		t.Errorf("volumes after the refused runs: %q", got)
	}
}
