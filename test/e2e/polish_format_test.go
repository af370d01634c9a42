package e2e

import (
	"strings"
	"testing"
)

// berth's tables title every column as the docker CLI does against the
// same daemon, method-style fields ({{.Label "k"}}, {{.Mounts}}, …) and
// functions ({{upper .Names}}) included.
func TestPolishFormatHeadersAsDocker(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "fmtbox", "-l", "x=1", "-l", "com.example.my-app=shop", "-v", "fmtvol:/data", "busybox", "sleep", "600")
	d.mustDocker(t, "network", "create", "--label", "a.b-c=1", "fmtnet")
	d.mustDocker(t, "volume", "create", "--label", "a.b_c=2", "fmtvol2")
	for _, tc := range []struct {
		args       []string
		headerOnly bool // rows hold times that move between the two runs
	}{
		{[]string{"ps", "--format", `table {{.Names}}\t{{.Label "x"}}\t{{.Label "com.example.my-app"}}\t{{.Mounts}}\t{{.Networks}}\t{{.LocalVolumes}}\t{{.State}}\t{{.Labels}}\t{{.Platform}}`}, false},
		{[]string{"ps", "--format", `table {{upper .Names}}\t{{json .Image}}\t{{lower .State}}\t{{.Size}}\t{{.RunningFor}}\t{{.CreatedAt}}\t{{.Status}}\t{{.Ports}}\t{{.Command}}\t{{.ID}}`}, true},
		{[]string{"images", "--format", `table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Digest}}\t{{.Size}}\t{{.VirtualSize}}\t{{.Containers}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.CreatedAt}}`}, false},
		{[]string{"images", "--format", `table {{.CreatedSince}}`}, true},
		{[]string{"network", "ls", "--filter", "name=fmtnet", "--format", `table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}\t{{.IPv4}}\t{{.IPv6}}\t{{.Internal}}\t{{.Labels}}\t{{.Label "a.b-c"}}\t{{.CreatedAt}}`}, false},
		{[]string{"volume", "ls", "--format", `table {{.Name}}\t{{.Driver}}\t{{.Scope}}\t{{.Mountpoint}}\t{{.Labels}}\t{{.Label "a.b_c"}}\t{{.Links}}\t{{.Size}}\t{{.Availability}}\t{{.Group}}\t{{.Status}}`}, false},
		{[]string{"volume", "ls", "--format", "json"}, false},
	} {
		want := strings.TrimSpace(d.mustDocker(t, tc.args...))
		got := strings.TrimSpace(d.ok(t, tc.args...))
		if tc.headerOnly {
			want, _, _ = strings.Cut(want, "\n")
			got, _, _ = strings.Cut(got, "\n")
		}
		if tc.args[len(tc.args)-1] == "json" {
			// berth adds CreatedAt to volume rows, a documented extra.
			if !strings.Contains(got, `"Availability":"N/A"`) || !strings.Contains(got, `"Group":"N/A"`) || !strings.Contains(want, `"Status":"N/A"`) {
				t.Errorf("%v:\nberth:  %s\ndocker: %s", tc.args, got, want)
			}
			continue
		}
		if got != want {
			t.Errorf("%v:\nberth:\n%s\ndocker:\n%s", tc.args, got, want)
		}
	}
}

// Flag values the CLI refuses read as Docker's CLI's, without the error
// class's name, exit 125 and create nothing.
func TestPolishClientErrorsAsDocker(t *testing.T) {
	d := cliContainerDaemon(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "-m", "12x", "busybox", "true"}, `berth: invalid argument "12x" for "-m, --memory" flag: invalid suffix: 'x'`},
		{[]string{"run", "-p", "99999:80", "busybox", "true"}, `berth: invalid port spec "99999:80": invalid host port (out of range 1-65535) "99999"`},
		{[]string{"run", "--restart", "sometimes", "busybox", "true"}, `berth: invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`},
		{[]string{"run", "--env-file", "/nonexistent/berth.env", "busybox", "true"}, `berth: open /nonexistent/berth.env: no such file or directory`},
	} {
		r := d.berth(t, nil, tc.args...)
		if first, _, _ := strings.Cut(r.stderr, "\n"); r.code != 125 || first != tc.want {
			t.Errorf("berth %v: want exit 125 and %q\n%s", tc.args, tc.want, r)
		}
	}
	if ids := strings.TrimSpace(d.ok(t, "ps", "-aq")); ids != "" {
		t.Errorf("refused runs left containers: %s", ids)
	}
}
