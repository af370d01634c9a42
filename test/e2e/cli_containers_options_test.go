package e2e

import (
	"strings"
	"testing"
)

func TestCLIRunOptionsReachTheContainer(t *testing.T) {
	d := cliContainerDaemon(t)
	out := d.ok(t, "run", "--rm", "-e", "A=1", "-w", "/tmp", "-h", "boxy", "--add-host", "db:10.1.2.3", "busybox",
		"sh", "-c", "echo $A; pwd; hostname; grep -c '10.1.2.3.*db' /etc/hosts")
	if out != "1\n/tmp\nboxy\n1\n" {
		t.Errorf("-e -w -h --add-host: %q", out)
	}
	if out := d.ok(t, "run", "--rm", "--entrypoint", "echo", "busybox", "from-entrypoint"); out != "from-entrypoint\n" {
		t.Errorf("--entrypoint: %q", out)
	}
	if out := d.ok(t, "run", "--rm", "--init", "busybox", "cat", "/proc/1/comm"); out != "berth-init\n" {
		t.Errorf("--init: PID 1 is %q", out)
	}
	out = d.ok(t, "run", "--rm", "--read-only", "--tmpfs", "/run", "--ulimit", "nofile=100:200", "busybox",
		"sh", "-c", "ulimit -n; ulimit -Hn; touch /x 2>/dev/null || echo ro; touch /run/y && echo tmpfs-rw")
	if out != "100\n200\nro\ntmpfs-rw\n" {
		t.Errorf("--read-only --tmpfs --ulimit: %q", out)
	}
	// A container killed by the OOM killer: 137, and inspect says so.
	r := d.berth(t, nil, "run", "--name", "oom", "--memory", "16m", "--memory-swap", "16m", "busybox", "tail", "/dev/zero")
	if r.code != 137 {
		t.Errorf("OOM-killed run: want exit 137: %s", r)
	}
	if got := d.ok(t, "inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "oom"); got != "true 137\n" {
		t.Errorf("inspect of the OOM-killed container: %q", got)
	}
	if got := d.ok(t, "inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}", "oom"); strings.TrimSpace(got) != "16777216 16777216" {
		t.Errorf("limits in inspect: %q", got)
	}
}
