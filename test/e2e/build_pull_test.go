package e2e

import (
	"strings"
	"testing"
)

// FROM an image the store lacks pulls it through the registry service.
func TestBuildPullsMissingBase(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}})
	c := newRegClient(t, d)
	importBusybox(t, d, "busybox:latest")
	base := reg.addr + "/lib/busybox:1"
	c.ok(t, "tag", "busybox", base)
	c.ok(t, "push", base)
	c.ok(t, "rmi", base, "busybox")

	dir := buildContextDir(t, "FROM "+base+"\nRUN echo pulled > /p\n", map[string]string{})
	out := c.ok(t, "build", "-t", "frompull", dir)
	if !strings.Contains(out, "Pulling from lib/busybox") || !strings.Contains(out, "Successfully tagged frompull:latest") {
		t.Errorf("build output:\n%s", out)
	}
	if got := c.ok(t, "image", "inspect", "--format", "{{.Id}}", base); !strings.HasPrefix(got, "sha256:") {
		t.Errorf("the base was not recorded: %q", got)
	}
	// An unknown base fails naming it.
	dir = buildContextDir(t, "FROM "+reg.addr+"/lib/nosuch:1\n", map[string]string{})
	if r := c.run(t, nil, "build", dir); r.code == 0 || !strings.Contains(r.stderr, "lib/nosuch") {
		t.Errorf("missing base: %s", r)
	}
}
