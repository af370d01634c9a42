package e2e

import (
	"strings"
	"testing"
	"time"
)

// docker logs keeps stdout and stderr apart, -t prints each line's
// timestamp, and --since/--until taken from those timestamps select
// lines as Docker's do.
func TestAuditDockerLogsStreamsSinceUntil(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "talk", "busybox", "sh", "-c",
		"echo early; echo oops >&2; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo late; sleep 600")
	pollUntil(t, "the first lines", func() bool {
		r := d.docker(t, nil, "logs", "talk")
		return r.stdout == "early\n" && r.stderr == "oops\n"
	})
	d.mustDocker(t, "exec", "talk", "touch", "/tmp/go")
	pollUntil(t, "the late line", func() bool { return d.docker(t, nil, "logs", "talk").stdout == "early\nlate\n" })

	r := d.docker(t, nil, "logs", "-t", "talk")
	stamps := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout+r.stderr), "\n") {
		ts, text, ok := strings.Cut(l, " ")
		if !ok || !strings.HasSuffix(ts, "Z") || !strings.Contains(ts, "T") {
			t.Fatalf("logs -t line %q has no timestamp", l)
		}
		stamps[text] = ts
	}
	if len(stamps) != 3 {
		t.Fatalf("logs -t: %s", r)
	}
	at := func(line string) time.Time {
		ts, err := time.Parse(time.RFC3339Nano, stamps[line])
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	// Bounds between lines (the API's exact-nanosecond bound is not
	// checked here: see the report on parseTimeParam's float rounding).
	mid := at("oops").Add(at("late").Sub(at("oops")) / 2).Format(time.RFC3339Nano)
	if r := d.docker(t, nil, "logs", "--since", mid, "talk"); r.stdout != "late\n" || r.stderr != "" {
		t.Errorf("logs --since %s: %s", mid, r)
	}
	if r := d.docker(t, nil, "logs", "--until", mid, "talk"); r.stdout != "early\n" || r.stderr != "oops\n" {
		t.Errorf("logs --until %s: %s", mid, r)
	}
}
