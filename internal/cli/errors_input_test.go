package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/errtext"
	"github.com/containerd/errdefs"
)

// Client-side validation errors read as Docker's CLI's: no errdefs class
// name at the end, flag values in pflag's words with the shorthand, exit
// 125 and nothing created.
func TestClientSideErrorsReadAsDocker(t *testing.T) {
	f, host := newFakeEngine(t)
	for _, tc := range []struct {
		args []string
		want string // the first line of stderr
	}{
		{[]string{"run", "--memory", "12x", "busybox"}, `berth: invalid argument "12x" for "-m, --memory" flag: invalid suffix: 'x'`},
		{[]string{"create", "--shm-size", "1q", "busybox"}, `berth: invalid argument "1q" for "--shm-size" flag: invalid suffix: 'q'`},
		{[]string{"run", "--cpus", "abc", "busybox"}, `berth: invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number`},
		{[]string{"run", "--ulimit", "nofile=x", "busybox"}, `berth: invalid argument "nofile=x" for "--ulimit" flag: strconv.ParseInt: parsing "x": invalid syntax`},
		{[]string{"run", "-p", "99999:80", "busybox"}, `berth: invalid port spec "99999:80": invalid host port (out of range 1-65535) "99999"`},
		{[]string{"run", "--restart", "sometimes", "busybox"}, `berth: invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`},
		{[]string{"run", "--restart", "always:3", "busybox"}, `berth: invalid restart policy: maximum retry count can only be used with 'on-failure'`},
		{[]string{"run", "--env-file", "/nonexistent/env", "busybox"}, `berth: open /nonexistent/env: no such file or directory`},
		{[]string{"update", "--memory", "1x", "c1"}, `berth: invalid argument "1x" for "-m, --memory" flag: invalid suffix: 'x'`},
	} {
		n := len(f.created)
		_, stderr, code := runCLI(t, host, tc.args...)
		first, rest, _ := strings.Cut(stderr, "\n")
		if code != ExitFailure || first != tc.want || !strings.HasPrefix(rest, "See 'berth ") {
			t.Errorf("%q: exit %d, stderr %q; want 125 and %q", tc.args, code, stderr, tc.want)
		}
		if len(f.created) != n {
			t.Errorf("%q created a container", tc.args)
		}
	}
}

// errtext.Plain drops only a trailing class name, and the class survives.
func TestPlainMessage(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", fmt.Errorf("invalid port spec %q: %w", "x", errdefs.ErrInvalidArgument))
	if got := errtext.Plain(err); got != `wrapped: invalid port spec "x"` {
		t.Errorf("errtext.Plain = %q", got)
	}
	if !errdefs.IsInvalidArgument(invalidf("bad")) || !errdefs.IsInvalidArgument(flagValueError{"cpus", "x", "y"}) {
		t.Error("the CLI's own input errors lost their class")
	}
	if got := errtext.Plain(errors.New("image: not found here")); got != "image: not found here" {
		t.Errorf("an unclassified error changed: %q", got)
	}
}
