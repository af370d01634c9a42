package e2e

import (
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"
)

// auditOctet is a random byte for test subnets, so that parallel runs
// (and other tests' daemons) do not meet.
func auditOctet(t *testing.T) int {
	t.Helper()
	b := make([]byte, 1)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return int(b[0])
}

// The docker CLI's per-container network options reach the container:
// --network host|none, --mac-address, --ip on a user network, --dns,
// --dns-search, --dns-option, and /etc/hosts names the container.
func TestAuditDockerRunNetworkOptions(t *testing.T) {
	d := dockerContainerDaemon(t)
	hostNS, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.mustDocker(t, "run", "--rm", "--network", "host", "busybox", "readlink", "/proc/self/ns/net"); got != hostNS {
		t.Errorf("--network host: namespace %q, want the host's %q", got, hostNS)
	}
	if got := d.mustDocker(t, "run", "--rm", "--network", "none", "busybox", "ls", "/sys/class/net"); got != "lo" {
		t.Errorf("--network none: interfaces %q, want lo alone", got)
	}
	if got := d.mustDocker(t, "run", "--rm", "--mac-address", "02:42:ac:11:00:99", "busybox", "cat", "/sys/class/net/eth0/address"); got != "02:42:ac:11:00:99" {
		t.Errorf("--mac-address: %q", got)
	}
	got := d.mustDocker(t, "run", "--rm", "--dns", "127.0.0.1", "--dns-search", "example.org", "--dns-option", "ndots:2", "busybox", "cat", "/etc/resolv.conf")
	for _, w := range []string{"nameserver 127.0.0.1", "search example.org", "options ndots:2"} {
		if !strings.Contains(got, w) {
			t.Errorf("resolv.conf lacks %q:\n%s", w, got)
		}
	}

	o := auditOctet(t)
	subnet := fmt.Sprintf("10.247.%d.0/24", o)
	ip := fmt.Sprintf("10.247.%d.77", o)
	d.mustDocker(t, "network", "create", "--subnet", subnet, "auditnet")
	t.Cleanup(func() { d.docker(t, nil, "network", "rm", "auditnet") })
	d.mustDocker(t, "run", "-d", "--name", "fixed", "--network", "auditnet", "--ip", ip, "--hostname", "fixedhost", "busybox", "sleep", "600")
	if got := d.inspectField(t, "fixed", "{{.NetworkSettings.Networks.auditnet.IPAddress}}"); got != ip {
		t.Errorf("--ip %s: inspect says %q", ip, got)
	}
	if got := d.mustDocker(t, "exec", "fixed", "ip", "-4", "-o", "addr", "show", "eth0"); !strings.Contains(got, ip+"/24") {
		t.Errorf("--ip %s: eth0 has %q", ip, got)
	}
	if got := d.mustDocker(t, "exec", "fixed", "cat", "/etc/hosts"); !strings.Contains(got, ip+"\tfixedhost") {
		t.Errorf("/etc/hosts does not name the container at %s:\n%s", ip, got)
	}
	// The same address again: refused, the second container not running.
	if r := d.docker(t, nil, "run", "-d", "--name", "twin", "--network", "auditnet", "--ip", ip, "busybox", "sleep", "600"); r.code == 0 {
		t.Errorf("a second container got --ip %s: %s", ip, r)
	}
	if got := d.mustDocker(t, "ps", "--format", "{{.Names}}"); got != "fixed" {
		t.Errorf("running after the refused --ip: %q", got)
	}
}

// A subnet that overlaps a route of the host is refused, naming it, and
// leaves no network behind.
func TestAuditNetworkSubnetOverlapsHostRoute(t *testing.T) {
	d := dockerContainerDaemon(t)
	o := auditOctet(t)
	link := "aud" + randomHex(t, 4)
	// A veth pair (the dummy driver may not be loaded): its address gives
	// the host a route to the /24.
	if out, err := runIP("link", "add", link, "type", "veth", "peer", "name", link+"p"); err != nil {
		t.Fatalf("ip link add: %v %s", err, out)
	}
	t.Cleanup(func() { runIP("link", "del", link) })
	if out, err := runIP("addr", "add", fmt.Sprintf("10.248.%d.1/24", o), "dev", link); err != nil {
		t.Fatalf("ip addr add: %v %s", err, out)
	}
	if out, err := runIP("link", "set", link, "up"); err != nil {
		t.Fatalf("ip link set up: %v %s", err, out)
	}
	subnet := fmt.Sprintf("10.248.%d.0/25", o)
	r := d.docker(t, nil, "network", "create", "--subnet", subnet, "clash")
	if r.code == 0 || !strings.Contains(r.stderr, subnet) || !strings.Contains(r.stderr, "overlaps") {
		t.Errorf("network create over a host route: %s", r)
	}
	if got := d.mustDocker(t, "network", "ls", "-q", "--filter", "name=clash"); got != "" {
		t.Errorf("the refused network was left behind: %q", got)
	}
}
