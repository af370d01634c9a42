package e2e

import (
	"net"
	"strings"
	"testing"
)

// The seed scenario, a Kubernetes pod's pause container: the first
// container owns the namespaces (--ipc=shareable, a published port), the
// others join its network, PID and IPC namespaces; they see each other's
// processes, talk over 127.0.0.1, share System V IPC, and the server of a
// joined container answers on the first one's published port.
func TestNetworkSharedNamespacesPod(t *testing.T) {
	d := startNetDaemon(t)
	port := "3030"
	if l, err := net.Listen("tcp", "0.0.0.0:3030"); err == nil {
		l.Close()
	} else {
		port = itoa(freePort(t)) // 3030 is taken on this machine
	}
	d.mustDocker(t, "run", "-d", "--name", "pause", "--ipc=shareable", "-p", port+":80", "nt:1", "sleep", "600")
	join := []string{"--net=container:pause", "--pid=container:pause", "--ipc=container:pause"}
	d.mustDocker(t, append(append([]string{"run", "-d", "--name", "web"}, join...), "nt:1", "nettool", "serve", ":80", "pod web")...)
	d.mustDocker(t, append(append([]string{"run", "-d", "--name", "side"}, join...), "nt:1", "sleep", "600")...)

	waitHTTP(t, "http://127.0.0.1:"+port+"/", "pod web")
	if ip := hostAddr(t); ip != "" {
		waitHTTP(t, "http://"+ip+":"+port+"/", "pod web")
	}
	if r := d.exec(t, "side", "nettool", "get", "http://127.0.0.1:80/"); r.stdout != "pod web" {
		t.Errorf("side to web over 127.0.0.1: %s", r)
	}
	ps := d.exec(t, "pause", "ps", "-o", "args").stdout
	for _, want := range []string{"sleep 600", "nettool serve :80 pod web"} {
		if !strings.Contains(ps, want) {
			t.Errorf("ps in pause lacks %q:\n%s", want, ps)
		}
	}
	ns := func(ctr, kind string) string {
		return strings.TrimSpace(d.exec(t, ctr, "readlink", "/proc/self/ns/"+kind).stdout)
	}
	for _, kind := range []string{"net", "pid", "ipc"} {
		if a, b := ns("pause", kind), ns("side", kind); a == "" || a != b {
			t.Errorf("%s namespace: pause %q, side %q", kind, a, b)
		}
	}
	if a, b := ns("pause", "uts"), ns("side", "uts"); a == b {
		t.Errorf("uts namespace shared without --uts: %q", a)
	}
	// A System V shared memory segment made in one is found in the other,
	// and not in a container with its own IPC namespace.
	if r := d.exec(t, "side", "nettool", "shmget", "4242"); r.code != 0 {
		t.Fatalf("shmget in side: %s", r)
	}
	if r := d.exec(t, "web", "nettool", "shmfind", "4242"); r.code != 0 {
		t.Errorf("the segment of side is not visible in web: %s", r)
	}
	if r := d.docker(t, nil, "run", "--rm", "nt:1", "nettool", "shmfind", "4242"); r.code == 0 {
		t.Errorf("the segment is visible in a container with its own IPC namespace: %s", r)
	}
	// Joining a container that does not run is refused.
	d.mustDocker(t, "create", "--name", "stopped", "nt:1", "true")
	if r := d.docker(t, nil, "run", "--rm", "--net=container:stopped", "nt:1", "true"); r.code == 0 {
		t.Errorf("joined the network of a stopped container: %s", r)
	}
	if r := d.docker(t, nil, "run", "--rm", "--net=container:nosuch", "nt:1", "true"); r.code == 0 {
		t.Errorf("joined the network of a missing container: %s", r)
	}
}
