package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Run options that shape the process reach it, through the real docker
// CLI: --env-file, -u with --group-add (the gid of -u is no supplementary
// group, as in Docker), --domainname, --cap-add, --security-opt seccomp=unconfined|FILE and
// no-new-privileges, --device, --shm-size, --uts host.
func TestAuditDockerRunProcessOptions(t *testing.T) {
	d := dockerContainerDaemon(t)
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	if err := os.WriteFile(envFile, []byte("# a comment\nFROM_FILE=yes\nSPACED=a b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := d.mustDocker(t, "run", "--rm", "--env-file", envFile, "-u", "1000:1000", "--group-add", "1234",
		"--hostname", "h1", "--domainname", "example.org", "busybox", "sh", "-c",
		`echo "$FROM_FILE|$SPACED"; id; hostname; cat /proc/sys/kernel/domainname`)
	if want := "yes|a b\nuid=1000 gid=1000 groups=1234\nh1\nexample.org"; got != want {
		t.Errorf("--env-file -u --group-add --hostname --domainname:\n%s\nwant\n%s", got, want)
	}

	status := func(args ...string) string {
		t.Helper()
		args = append(append([]string{"run", "--rm"}, args...), "busybox", "grep", "-E", "^(CapEff|Seccomp|NoNewPrivs):", "/proc/self/status")
		return d.mustDocker(t, args...)
	}
	def := status()
	if !strings.Contains(def, "Seccomp:\t2") || !strings.Contains(def, "NoNewPrivs:\t0") || !strings.Contains(def, "CapEff:\t00000000a80425fb") {
		t.Errorf("defaults (Docker's capability set, seccomp filter):\n%s", def)
	}
	// NET_ADMIN is bit 12.
	if got := status("--cap-add", "NET_ADMIN"); !strings.Contains(got, "CapEff:\t00000000a80435fb") {
		t.Errorf("--cap-add NET_ADMIN:\n%s", got)
	}
	if got := status("--security-opt", "seccomp=unconfined", "--security-opt", "no-new-privileges"); !strings.Contains(got, "Seccomp:\t0") || !strings.Contains(got, "NoNewPrivs:\t1") {
		t.Errorf("seccomp=unconfined, no-new-privileges:\n%s", got)
	}
	// A profile of the user's own: everything allowed but mkdir.
	profile := filepath.Join(dir, "seccomp.json")
	if err := os.WriteFile(profile, []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got = d.mustDocker(t, "run", "--rm", "--security-opt", "seccomp="+profile, "busybox", "sh", "-c", "mkdir /tmp/x 2>/dev/null || echo refused; touch /tmp/y && echo touched")
	if got != "refused\ntouched" {
		t.Errorf("seccomp=FILE denying mkdir: %q", got)
	}
	if r := d.docker(t, nil, "run", "--rm", "busybox", "test", "-e", "/dev/loop-control"); r.code == 0 {
		t.Errorf("an unprivileged container has /dev/loop-control")
	}

	got = d.mustDocker(t, "run", "--rm", "--device", "/dev/null:/dev/mynull", "--shm-size", "8m", "busybox", "sh", "-c",
		"test -c /dev/mynull && echo hi > /dev/mynull && echo device; df -k /dev/shm | tail -1")
	if fields := strings.Fields(got); len(fields) < 3 || fields[0] != "device" || fields[2] != "8192" {
		t.Errorf("--device /dev/null:/dev/mynull --shm-size 8m: %q", got)
	}
	host, _ := os.Hostname()
	if got := d.mustDocker(t, "run", "--rm", "--uts", "host", "busybox", "hostname"); got != host {
		t.Errorf("--uts host: hostname %q, want the host's %q", got, host)
	}
}
