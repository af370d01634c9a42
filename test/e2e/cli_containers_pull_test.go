package e2e

import (
	"strings"
	"testing"
)

func TestCLIRunPullsMissingImage(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}})
	c := newRegClient(t, d)
	importBusybox(t, d, "busybox:latest", "-c", `CMD ["sh"]`)
	ref := reg.addr + "/cli/busybox:1"
	c.ok(t, "tag", "busybox", ref)
	c.ok(t, "push", ref)
	c.ok(t, "rmi", ref)

	if r := c.run(t, nil, "run", "--rm", "--pull", "never", ref, "true"); r.code != 125 || !strings.Contains(r.stderr, ref) {
		t.Errorf("--pull never of a missing image: want 125 naming it: %s", r)
	}
	r := c.run(t, nil, "run", "--rm", ref, "echo", "pulled")
	if r.code != 0 || r.stdout != "pulled\n" || !strings.Contains(r.stderr, "Unable to find image '"+ref+"' locally") {
		t.Fatalf("run of an image not yet pulled: %s", r)
	}
	if out := c.ok(t, "images", "-q", ref); strings.TrimSpace(out) == "" {
		t.Errorf("the pulled image is not in the store")
	}
	r = c.run(t, nil, "run", "--rm", "--pull", "always", ref, "echo", "again")
	if r.code != 0 || r.stdout != "again\n" || strings.Contains(r.stderr, "Unable to find image") {
		t.Errorf("--pull always: %s", r)
	}
	if r := c.run(t, nil, "run", "--rm", "--pull", "sometimes", ref, "true"); r.code != 125 || !strings.Contains(r.stderr, "--pull") {
		t.Errorf("--pull sometimes: %s", r)
	}
}
