package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// docker ps flags and filters against berth: -a, -q, -l, -n, --no-trunc,
// -s (and inspect -s) with the writable layer and the whole root's size,
// --filter status/exited/ancestor/name/label, --format.
func TestAuditDockerPsFlags(t *testing.T) {
	d := dockerContainerDaemon(t)
	importBusybox(t, d, "other:v1", "-c", `CMD ["sh"]`)
	first := d.mustDocker(t, "run", "-d", "--name", "first", "-l", "tier=a", "busybox", "sh", "-c", "head -c 2048 /dev/zero > /big; sleep 600")
	d.docker(t, nil, "run", "--name", "second", "busybox", "sh", "-c", "exit 3")
	d.mustDocker(t, "run", "--name", "third", "other:v1", "true")

	if got := d.mustDocker(t, "ps", "--format", "{{.Names}}"); got != "first" {
		t.Errorf("ps = %q", got)
	}
	if got := d.mustDocker(t, "ps", "-a", "--format", "{{.Names}}"); got != "third\nsecond\nfirst" {
		t.Errorf("ps -a (newest first) = %q", got)
	}
	if got := d.mustDocker(t, "ps", "-l", "--format", "{{.Names}}"); got != "third" {
		t.Errorf("ps -l = %q", got)
	}
	if got := d.mustDocker(t, "ps", "-n", "2", "--format", "{{.Names}}"); got != "third\nsecond" {
		t.Errorf("ps -n 2 = %q", got)
	}
	if got := d.mustDocker(t, "ps", "-q", "--no-trunc"); got != first {
		t.Errorf("ps -q --no-trunc = %q, want %s", got, first)
	}
	if got := d.mustDocker(t, "ps", "-q"); got != first[:12] {
		t.Errorf("ps -q = %q", got)
	}
	for filter, want := range map[string]string{
		"status=exited":     "third\nsecond",
		"exited=3":          "second",
		"ancestor=other:v1": "third",
		"name=sec":          "second",
		"label=tier=a":      "first",
	} {
		if got := d.mustDocker(t, "ps", "-a", "--filter", filter, "--format", "{{.Names}}"); got != want {
			t.Errorf("ps -a --filter %s = %q, want %q", filter, got, want)
		}
	}
	pollUntil(t, "the file in the writable layer", func() bool {
		return d.docker(t, nil, "exec", "first", "test", "-s", "/big").code == 0
	})
	size := d.mustDocker(t, "ps", "-s", "--filter", "name=first", "--format", "{{.Size}}")
	if !strings.Contains(size, "kB") || !strings.Contains(size, "virtual") {
		t.Errorf("ps -s size = %q, want the writable layer's kB and the virtual size", size)
	}
	var rw, root int64
	if _, err := fmt.Sscan(d.mustDocker(t, "inspect", "-s", "--format", "{{.SizeRw}} {{.SizeRootFs}}", "first"), &rw, &root); err != nil || rw < 2048 || root <= rw {
		t.Errorf("inspect -s: SizeRw %d, SizeRootFs %d (%v), want the root to hold the image and the layer", rw, root, err)
	}
	if got := d.mustDocker(t, "ps", "-a", "--filter", "name=second", "--format", "{{.Status}}"); !strings.HasPrefix(got, "Exited (3)") {
		t.Errorf("ps Status = %q", got)
	}
}
