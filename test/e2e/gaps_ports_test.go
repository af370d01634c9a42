package e2e

import (
	"strings"
	"testing"
)

// TestGapsPublishAll: docker run -P publishes the image's EXPOSE port and
// the --expose ones on ephemeral host ports; docker port shows them and
// the image's port answers through its host port.
func TestGapsPublishAll(t *testing.T) {
	d := startNetDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "pall", "-P", "--expose", "8081", "nt:1", "nettool", "serve", ":80", "published by -P")

	out := d.mustDocker(t, "port", "pall")
	for _, want := range []string{"80/tcp -> 0.0.0.0:", "8081/tcp -> 0.0.0.0:"} {
		if !strings.Contains(out, want) {
			t.Fatalf("docker port pall = %q, want a line %q…", out, want)
		}
	}
	hp := d.mustDocker(t, "port", "pall", "80/tcp")
	first := strings.Fields(hp)[0] // 0.0.0.0:NNNN (then [::]:NNNN where IPv6 is on)
	port := first[strings.LastIndex(first, ":")+1:]
	if port == "" || port == "0" || port == "80" {
		t.Fatalf("docker port pall 80/tcp = %q, want an ephemeral host port", hp)
	}
	waitHTTP(t, "http://127.0.0.1:"+port+"/", "published by -P")

	// inspect's merged config lists the image's port and --expose's.
	if got := d.inspectField(t, "pall", "{{json .Config.ExposedPorts}}"); !strings.Contains(got, `"80/tcp"`) || !strings.Contains(got, `"8081/tcp"`) {
		t.Fatalf("Config.ExposedPorts = %s, want 80/tcp and 8081/tcp", got)
	}
}
