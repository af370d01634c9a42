package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// The real docker CLI's events: past events from --since, then live ones
// as they happen, filtered by container and formatted; with --until in
// the past the stream ends by itself.
func TestAuditDockerEventsCLI(t *testing.T) {
	d := dockerContainerDaemon(t)
	since := strconv.FormatInt(time.Now().Unix()-1, 10)
	d.mustDocker(t, "run", "-d", "--name", "evt", "busybox", "sleep", "600")
	d.mustDocker(t, "run", "--rm", "--name", "other", "busybox", "true")
	// The CLI sends --until in whole seconds: the next second includes
	// the destroy above.
	until := time.Now().Unix() + 1

	ev := auditDockerBg(t, d, "events", "--since", since, "--filter", "container=evt", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}")
	pollUntil(t, "past events from --since", func() bool { return strings.Contains(ev.output(), "container start evt") })
	// Live: a stop seen while the stream is open.
	d.mustDocker(t, "stop", "-t", "1", "evt")
	pollUntil(t, "live die and stop events", func() bool {
		out := ev.output()
		return strings.Contains(out, "container die evt") && strings.Contains(out, "container stop evt")
	})
	out := ev.output()
	for _, w := range []string{"container create evt", "container start evt", "container die evt", "container stop evt"} {
		if !strings.Contains(out, w) {
			t.Errorf("events lack %q:\n%s", w, out)
		}
	}
	if strings.Index(out, "create evt") > strings.Index(out, "start evt") || strings.Index(out, "start evt") > strings.Index(out, "die evt") {
		t.Errorf("events out of order:\n%s", out)
	}
	if strings.Contains(out, "other") {
		t.Errorf("--filter container=evt let another container's events through:\n%s", out)
	}

	// --until in the past: the CLI prints what was and exits 0.
	pollUntil(t, "the --until second to pass", func() bool { return time.Now().Unix() > until })
	r := d.docker(t, nil, "events", "--since", since, "--until", strconv.FormatInt(until, 10), "--filter", "container=other", "--filter", "event=destroy", "--format", "{{.Action}} {{.Actor.Attributes.name}}")
	if r.code != 0 {
		t.Errorf("events --until: %s", r)
	}
	if got := strings.TrimSpace(r.stdout); got != "destroy other" {
		t.Errorf("events --filter event=destroy --filter container=other = %q", got)
	}
}
