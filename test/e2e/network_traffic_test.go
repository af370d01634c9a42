package e2e

import (
	"strings"
	"testing"
)

// Published ports answer on 127.0.0.1 and on the host's own address, `port`
// shows them, and a port already taken on the host is refused cleanly.
func TestNetworkPublishedPorts(t *testing.T) {
	d := startNetDaemon(t)
	port := itoa(freePort(t))
	d.mustDocker(t, "run", "-d", "--name", "web", "-p", port+":80", "nt:1", "nettool", "serve", ":80", "hello from web")
	waitHTTP(t, "http://127.0.0.1:"+port+"/", "hello from web")
	if ip := hostAddr(t); ip != "" {
		waitHTTP(t, "http://"+ip+":"+port+"/", "hello from web")
	}
	if got := d.mustDocker(t, "port", "web"); got != "80/tcp -> 0.0.0.0:"+port {
		t.Errorf("docker port web = %q", got)
	}
	if got := d.mustDocker(t, "port", "web", "80"); got != "0.0.0.0:"+port {
		t.Errorf("docker port web 80 = %q", got)
	}
	// UDP: an echo server behind -p PORT:5353/udp.
	udpPort := itoa(freePort(t))
	d.mustDocker(t, "run", "-d", "--name", "echo", "-p", "127.0.0.1:"+udpPort+":5353/udp", "nt:1", "nettool", "udpecho", ":5353")
	if got, err := udpEcho("127.0.0.1:"+udpPort, "ping over udp"); got != "ping over udp" {
		t.Errorf("UDP echo through 127.0.0.1:%s/udp = %q, %v", udpPort, got, err)
	}
	if got := d.mustDocker(t, "port", "echo"); got != "5353/udp -> 127.0.0.1:"+udpPort {
		t.Errorf("docker port echo = %q", got)
	}
	// Another container reaches it through the host's address (hairpin
	// through the gateway of the default bridge).
	gw := d.inspectField(t, "web", "{{.NetworkSettings.Networks.bridge.Gateway}}")
	if r := d.docker(t, nil, "run", "--rm", "nt:1", "nettool", "get", "http://"+gw+":"+port+"/"); r.code != 0 || r.stdout != "hello from web" {
		t.Errorf("container to published port via the gateway: %s", r)
	}
	// The same host port again: refused, nothing left running.
	r := d.docker(t, nil, "run", "-d", "--name", "clash", "-p", port+":80", "nt:1", "sleep", "60")
	if r.code == 0 || !strings.Contains(r.stderr, "address already in use") {
		t.Errorf("second publish of port %s: %s", port, r)
	}
	if got := d.inspectField(t, "clash", "{{.State.Running}}"); got != "false" {
		t.Errorf("the refused container runs: %s", got)
	}
	for _, bad := range []string{"99999:80", "abc"} {
		if r := d.docker(t, nil, "run", "--rm", "-p", bad, "nt:1", "true"); r.code == 0 {
			t.Errorf("-p %s accepted: %s", bad, r)
		}
	}
	// Stop removes the veth and the rule; the port answers no more.
	d.mustDocker(t, "rm", "-f", "web", "clash", "echo")
	pollUntil(t, "veths to leave "+d.bridge, func() bool { return len(vethsOf(t, d.bridge)) == 0 })
	// The port-map elements go in the background too (after the veth).
	pollUntil(t, "port map elements to leave "+d.table, func() bool { return !strings.Contains(nftTable(d.table), ": 172.") })
	if _, err := httpGet("http://127.0.0.1:" + port + "/"); err == nil {
		t.Errorf("port %s still answers after rm", port)
	}
}

// Containers on a user-defined network reach each other by name and by
// alias through the embedded DNS; containers of another network neither
// resolve nor reach them; an internal network has no way out; the
// default bridge has no names. Every lookup's upstream is 127.0.0.1 (--dns),
// so no query leaves the machine.
func TestNetworkNamesIsolationInternal(t *testing.T) {
	d := startNetDaemon(t)
	d.mustDocker(t, "network", "create", "--subnet", "10.233.0.0/24", "blue")
	d.mustDocker(t, "network", "create", "--subnet", "10.234.0.0/24", "red")
	d.mustDocker(t, "network", "create", "--internal", "--subnet", "10.235.0.0/24", "sealed")
	d.mustDocker(t, "run", "-d", "--name", "srv", "--network", "blue", "--dns", "127.0.0.1", "nt:1", "nettool", "serve", ":80", "srv here")
	d.mustDocker(t, "run", "-d", "--name", "cli", "--network", "blue", "--dns", "127.0.0.1", "nt:1", "sleep", "600")
	d.mustDocker(t, "network", "connect", "--alias", "backend", "blue", mustRunning(t, d, "red-one"))

	srvIP := d.inspectField(t, "srv", "{{.NetworkSettings.Networks.blue.IPAddress}}")
	if r := d.exec(t, "cli", "nettool", "lookup", "srv"); strings.TrimSpace(r.stdout) != srvIP {
		t.Errorf("lookup srv from cli: %s (want %s)", r, srvIP)
	}
	pollUntil(t, "srv to listen", func() bool { return d.exec(t, "cli", "nettool", "get", "http://srv/").stdout == "srv here" })
	redIP := d.inspectField(t, "red-one", "{{.NetworkSettings.Networks.blue.IPAddress}}")
	if r := d.exec(t, "cli", "nettool", "lookup", "backend"); strings.TrimSpace(r.stdout) != redIP {
		t.Errorf("lookup of the alias backend: %s (want %s)", r, redIP)
	}
	if r := d.exec(t, "cli", "nettool", "get", "http://backend/"); r.stdout != "red one" {
		t.Errorf("GET http://backend/ from cli: %s", r)
	}

	// Isolation: a container on red alone neither resolves nor reaches srv.
	d.mustDocker(t, "run", "-d", "--name", "red-two", "--network", "red", "--dns", "127.0.0.1", "nt:1", "sleep", "600")
	if r := d.exec(t, "red-two", "nettool", "lookup", "srv"); r.code == 0 {
		t.Errorf("srv resolved from the red network: %s", r)
	}
	if r := d.exec(t, "red-two", "nettool", "dial", srvIP+":80"); r.code == 0 {
		t.Errorf("red reached blue's %s: %s", srvIP, r)
	}

	// Internal: members talk to each other, but nothing leaves the network.
	// The target outside is a server in a namespace of the test's own
	// (the default bridge's container), never the internet.
	d.mustDocker(t, "run", "-d", "--name", "outside", "--dns", "127.0.0.1", "nt:1", "nettool", "serve", ":80", "outside")
	outIP := d.inspectField(t, "outside", "{{.NetworkSettings.Networks.bridge.IPAddress}}")
	d.mustDocker(t, "run", "-d", "--name", "in1", "--network", "sealed", "--dns", "127.0.0.1", "nt:1", "nettool", "serve", ":80", "in1")
	if r := d.docker(t, nil, "run", "--rm", "--network", "sealed", "--dns", "127.0.0.1", "nt:1", "nettool", "get", "http://in1/"); r.stdout != "in1" {
		t.Errorf("internal network member to member: %s", r)
	}
	if r := d.docker(t, nil, "run", "--rm", "--network", "sealed", "--dns", "127.0.0.1", "nt:1", "nettool", "dial", outIP+":80"); r.code == 0 {
		t.Errorf("internal network reached %s outside: %s", outIP, r)
	}
	if r := d.docker(t, nil, "run", "--rm", "--network", "sealed", "--dns", "127.0.0.1", "nt:1", "ip", "route"); strings.Contains(r.stdout, "default") {
		t.Errorf("internal network has a default route: %s", r)
	}

	// The default bridge: addresses work, names do not.
	if r := d.docker(t, nil, "run", "--rm", "--dns", "127.0.0.1", "nt:1", "nettool", "get", "http://"+outIP+"/"); r.stdout != "outside" {
		t.Errorf("default bridge by address: %s", r)
	}
	if r := d.docker(t, nil, "run", "--rm", "--dns", "127.0.0.1", "nt:1", "nettool", "lookup", "outside"); r.code == 0 {
		t.Errorf("a name resolved on the default bridge: %s", r)
	}
	if r := d.docker(t, nil, "run", "--rm", "--dns", "127.0.0.1", "nt:1", "cat", "/etc/resolv.conf"); strings.Contains(r.stdout, "127.0.0.11") {
		t.Errorf("default bridge container uses the embedded DNS: %s", r)
	}
}

// mustRunning starts the red network's first container (a web server
// answering "red one") and returns its name.
func mustRunning(t *testing.T, d *netDaemon, name string) string {
	t.Helper()
	d.mustDocker(t, "run", "-d", "--name", name, "--network", "red", "--dns", "127.0.0.1", "nt:1", "nettool", "serve", ":80", "red one")
	return name
}
