package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// The docker CLI manages berth's networks as Docker's: create with
// subnet/gateway/range/labels/options, ls with filters, inspect, connect
// and disconnect of a running container (with --ip and --alias), rm, prune,
// and the refusals of bad input.
func TestNetworkDockerCLICommands(t *testing.T) {
	d := startNetDaemon(t)
	id := d.mustDocker(t, "network", "create", "--subnet", "10.231.0.0/24", "--gateway", "10.231.0.254",
		"--ip-range", "10.231.0.128/25", "--label", "team=net", "-o", "com.docker.network.bridge.name=bt-"+d.bridge[2:], "front")
	if len(id) != 64 {
		t.Fatalf("network create printed %q, want a 64-digit ID", id)
	}
	ls := d.mustDocker(t, "network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}")
	for _, want := range []string{"bridge bridge local", "host host local", "none null local", "front bridge local"} {
		if !strings.Contains(ls, want) {
			t.Errorf("network ls lacks %q:\n%s", want, ls)
		}
	}
	if got := d.mustDocker(t, "network", "ls", "-q", "--filter", "label=team=net"); got != id[:12] {
		t.Errorf("network ls -q --filter label=team=net = %q, want %q", got, id[:12])
	}
	if got := d.mustDocker(t, "network", "ls", "--no-trunc", "-q", "--filter", "type=custom"); got != id {
		t.Errorf("network ls --no-trunc -q -f type=custom = %q, want %q", got, id)
	}
	var insp []struct {
		Name, Id, Driver string
		IPAM             struct {
			Config []struct{ Subnet, Gateway, IPRange string }
		}
		Labels, Options map[string]string
		Containers      map[string]struct{ Name, IPv4Address string }
	}
	if err := json.Unmarshal([]byte(d.mustDocker(t, "network", "inspect", "front")), &insp); err != nil || len(insp) != 1 {
		t.Fatalf("network inspect: %v %+v", err, insp)
	}
	if c := insp[0].IPAM.Config; insp[0].Id != id || len(c) != 1 || c[0].Subnet != "10.231.0.0/24" || c[0].Gateway != "10.231.0.254" ||
		c[0].IPRange != "10.231.0.128/25" || insp[0].Labels["team"] != "net" {
		t.Errorf("network inspect front = %+v", insp[0])
	}
	// The bridge the option named exists with the gateway address.
	if out := strings.TrimSpace(string(mustRun(t, "ip", "-4", "-o", "addr", "show", "bt-"+d.bridge[2:]))); !strings.Contains(out, "10.231.0.254/24") {
		t.Errorf("bridge bt-%s: %s", d.bridge[2:], out)
	}

	// A running container connects with a fixed address and an alias, and
	// shows it in both inspects; a second connect is refused.
	d.mustDocker(t, "run", "-d", "--name", "app", "--dns", "127.0.0.1", "nt:1", "sleep", "600")
	d.mustDocker(t, "network", "connect", "--ip", "10.231.0.50", "--alias", "api", "front", "app")
	if got := d.inspectField(t, "app", "{{.NetworkSettings.Networks.front.IPAddress}} {{.NetworkSettings.Networks.front.Aliases}}"); got != "10.231.0.50 [api]" {
		t.Errorf("container inspect after connect: %q", got)
	}
	if got := d.mustDocker(t, "network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}", "front"); got != "app 10.231.0.50/24" {
		t.Errorf("network inspect containers = %q", got)
	}
	if out := d.exec(t, "app", "ip", "-4", "-o", "addr", "show", "eth1"); !strings.Contains(out.stdout, "10.231.0.50/24") {
		t.Errorf("eth1 in the container: %s", out)
	}
	if r := d.docker(t, nil, "network", "connect", "front", "app"); r.code == 0 || !strings.Contains(r.stderr, "already connected") {
		t.Errorf("second connect: %s", r)
	}
	// A network with a container cannot go; the error names the container.
	if r := d.docker(t, nil, "network", "rm", "front"); r.code == 0 || !strings.Contains(r.stderr, "app") {
		t.Errorf("network rm of a network in use: %s", r)
	}
	d.mustDocker(t, "network", "disconnect", "front", "app")
	if out := d.exec(t, "app", "ip", "link", "show", "eth1"); out.code == 0 {
		t.Errorf("eth1 still in the container after disconnect: %s", out)
	}
	if got := d.mustDocker(t, "network", "inspect", "-f", "{{len .Containers}}", "front"); got != "0" {
		t.Errorf("network still lists %s containers after disconnect", got)
	}

	// Bad input: an overlapping subnet, a host address as subnet, a
	// predefined network, an unknown one.
	for _, bad := range [][]string{
		{"network", "create", "--subnet", "10.231.0.0/16", "overlap"},
		{"network", "create", "--subnet", "10.232.0.1/24", "notnetwork"},
		{"network", "create", "front"},
		{"network", "rm", "bridge"},
		{"network", "inspect", "nosuchnet"},
		{"network", "connect", "nosuchnet", "app"},
	} {
		if r := d.docker(t, nil, bad...); r.code == 0 {
			t.Errorf("docker %s succeeded: %s", strings.Join(bad, " "), r)
		}
	}
	if r := d.docker(t, nil, "network", "ls", "-q", "-f", "name=overlap"); strings.TrimSpace(r.stdout) != "" {
		t.Errorf("a refused network was left behind: %s", r)
	}

	d.mustDocker(t, "network", "rm", "front")
	if _, err := runIP("link", "show", "bt-"+d.bridge[2:]); err == nil {
		t.Errorf("bridge of the removed network is still there")
	}
	// berth's own CLI: create, prune (with a label filter), ls.
	d.ok(t, "network", "create", "--label", "tmp=1", "scratch1")
	d.ok(t, "network", "create", "scratch2")
	if out := d.ok(t, "network", "prune", "-f", "--filter", "label=tmp"); !strings.Contains(out, "scratch1") || strings.Contains(out, "scratch2") {
		t.Errorf("network prune --filter label=tmp: %q", out)
	}
	if out := d.ok(t, "network", "ls"); strings.Contains(out, "scratch1") || !strings.Contains(out, "scratch2") {
		t.Errorf("network ls after prune:\n%s", out)
	}
	d.ok(t, "network", "rm", "scratch2")
}
