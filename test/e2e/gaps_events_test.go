package e2e

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestGapsImageEvents: docker events shows image events (import, tag,
// save, load, push, pull, untag, delete) with Docker's actors, and the
// image filter picks them out.
func TestGapsImageEvents(t *testing.T) {
	needDocker(t)
	reg := startRegistry(t, registryOptions{})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}})
	since := strconv.FormatInt(time.Now().Unix()-1, 10)
	id := importBusybox(t, d, "busybox:latest")
	if !strings.HasPrefix(id, "sha256:") {
		id = d.mustDocker(t, "image", "inspect", "--format", "{{.Id}}", "busybox")
	}
	ref := reg.addr + "/gaps/busybox:1"
	d.mustDocker(t, "tag", "busybox", ref)
	archive := d.docker(t, nil, "save", "busybox")
	if archive.code != 0 {
		t.Fatalf("save: %s", archive)
	}
	if r := d.docker(t, bytes.NewReader([]byte(archive.stdout)), "load"); r.code != 0 {
		t.Fatalf("load: %s", r)
	}
	d.mustDocker(t, "push", ref)
	d.mustDocker(t, "rmi", ref)
	d.mustDocker(t, "pull", ref)
	d.mustDocker(t, "rmi", "-f", id)
	until := strconv.FormatInt(time.Now().Unix()+1, 10)

	got := d.mustDocker(t, "events", "--since", since, "--until", until, "--filter", "type=image", "--format", "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}")
	for _, want := range []string{
		"import " + id + " " + id,
		"tag " + id + " busybox:latest",
		"tag " + id + " " + ref,
		"save " + id,
		"load " + id,
		"push " + ref + " " + ref,
		"untag " + id,
		"pull " + ref + " " + ref,
		"delete " + id,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("docker events lacks %q:\n%s", want, got)
		}
	}
	// --filter image= picks the events of that image, by name or ID.
	byName := d.mustDocker(t, "events", "--since", since, "--until", until, "--filter", "image="+reg.addr+"/gaps/busybox", "--format", "{{.Action}}")
	if strings.Fields(byName)[0] != "tag" || !strings.Contains(byName, "pull") || strings.Contains(byName, "import") {
		t.Errorf("events --filter image=%s/gaps/busybox:\n%s", reg.addr, byName)
	}
}
