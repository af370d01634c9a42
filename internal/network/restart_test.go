package network

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/network/link"
)

func TestRestartKeepsLiveEndpointsAndDropsStaleOnes(t *testing.T) {
	env := newEnv(t, true)
	def, err := env.m.Get(DefaultNetwork)
	if err != nil || def.Bridge != env.cfg.DefaultBridge || def.Subnet != env.cfg.DefaultSubnet {
		t.Fatalf("default network %+v, %v", def, err)
	}
	n := env.createNet("rs-"+randHex(3), nil)
	live, nsLive := env.attach(n.Name, "live", func(o *EndpointOptions) { o.Ports = mustPorts(t, "0:8080") })
	dead, _ := env.attach(n.Name, "dead", func(o *EndpointOptions) { o.Ports = mustPorts(t, "0:9090") })
	serveIn(t, nsLive, 8080, "live")

	env.restart(func(id string) bool { return id == live.ContainerID })
	if err := env.m.Settle(env.ctx); err != nil {
		t.Fatal(err)
	}

	if link.Exists(dead.HostIfName) {
		t.Errorf("stale endpoint's veth %s survived Reconcile", dead.HostIfName)
	}
	rules, _ := nftTable(env.cfg.Table)
	if want := "tcp . " + itoa(live.Ports[0].HostPort) + " :"; !strings.Contains(rules, want) {
		t.Errorf("live port rule %q missing after restart:\n%s", want, rules)
	}
	if stale := "tcp . " + itoa(dead.Ports[0].HostPort) + " :"; strings.Contains(rules, stale) {
		t.Errorf("stale port rule %q left after restart:\n%s", stale, rules)
	}
	if got, err := dial(t, "", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), live.Ports[0].HostPort)); err != nil || got != "live" {
		t.Errorf("published port after restart: %q, %v", got, err)
	}
	// The live address stays taken; the freed one is not handed out at once.
	e, _ := env.attach(n.Name, "next", nil)
	if e.IP() == live.IP() || e.IP() == dead.IP() {
		t.Errorf("new endpoint got %s (live %s, freed %s)", e.IP(), live.IP(), dead.IP())
	}
	// The live one's DNS server is back.
	if got, _ := lookupIn(t, nsLive, "next"); len(got) != 1 || got[0] != e.IP().String() {
		t.Errorf("DNS after restart: next = %v, want [%s]", got, e.IP())
	}
	// The default network keeps its identity across restarts.
	if again, _ := env.m.Get(DefaultNetwork); again.ID != def.ID {
		t.Errorf("default network ID changed across restart: %s -> %s", def.ID, again.ID)
	}
}

func itoa(p uint16) string { return strconv.Itoa(int(p)) }

func TestConcurrentAttachesGetDistinctAddresses(t *testing.T) {
	env := newEnv(t, false)
	n := env.createNet("par-"+randHex(3), nil)
	const count = 8
	nss := make([]string, count)
	for i := range nss {
		nss[i] = newNetns(t)
	}
	ports := mustPorts(t, "0:80")
	eps := make(chan *Endpoint, count)
	errs := make(chan error, count)
	for i := 0; i < count; i++ {
		go func() {
			e, err := env.m.Attach(env.ctx, n.Name, EndpointOptions{ContainerID: randHex(32), Name: "c" + strconv.Itoa(i),
				NetNSPath: nss[i], Ports: ports})
			eps <- e
			errs <- err
		}()
	}
	seenIP, seenPort := map[netip.Addr]bool{}, map[uint16]bool{}
	for i := 0; i < count; i++ {
		e, err := <-eps, <-errs
		if err != nil {
			t.Fatal(err)
		}
		if seenIP[e.IP()] || seenPort[e.Ports[0].HostPort] {
			t.Fatalf("address %s or host port %d handed out twice", e.IP(), e.Ports[0].HostPort)
		}
		seenIP[e.IP()], seenPort[e.Ports[0].HostPort] = true, true
		if s := e.Settings(n); s.IPAddress != e.IP() || s.Gateway != n.Gateway || s.DNSNames[0] != e.Name {
			t.Errorf("Settings = %+v for %+v", s, e)
		}
	}
}

func TestRestartRecreatesMissingBridge(t *testing.T) {
	env := newEnv(t, false)
	n := env.createNet("reboot-"+randHex(3), func(o *CreateOptions) { o.Labels = map[string]string{"keep": "no"} })
	keep := env.createNet("keep-"+randHex(3), func(o *CreateOptions) { o.Labels = map[string]string{"keep": "yes"} })
	if err := link.DeleteBridge(n.Bridge); err != nil {
		t.Fatal(err)
	}
	env.restart(func(string) bool { return false })
	if !link.Exists(n.Bridge) {
		t.Fatalf("bridge %s not re-created at start", n.Bridge)
	}
	e, ns := env.attach(n.Name, "after", nil)
	port := serveIn(t, ns, 0, "after")
	if got, err := dial(t, "", netip.AddrPortFrom(e.IP(), port)); err != nil || got != "after" {
		t.Fatalf("host -> container on the re-created bridge: %q, %v", got, err)
	}
	if err := env.m.Detach(env.ctx, n.Name, e.ContainerID); err != nil {
		t.Fatal(err)
	}
	removed, err := env.m.Prune(env.ctx, func(n *Network) bool { return n.Labels["keep"] != "yes" })
	if err != nil || len(removed) != 1 || removed[0] != n.Name {
		t.Fatalf("Prune = %v, %v; want [%s]", removed, err, n.Name)
	}
	if _, err := env.m.Get(keep.Name); err != nil {
		t.Fatalf("network %s filtered out of Prune is gone: %v", keep.Name, err)
	}
}

// A fixed host port freed by Detach can be published again at once: the
// new Attach waits for the old rule to be gone, and traffic goes to the
// new container.
func TestSamePortRightAfterDetach(t *testing.T) {
	env := newEnv(t, false)
	n := env.createNet("again-"+randHex(3), nil)
	spec := "127.0.0.1:" + strconv.Itoa(int(freePort(t))) + ":80"
	for i, name := range []string{"first", "second", "third"} {
		e, ns := env.attach(n.Name, name, func(o *EndpointOptions) { o.Ports = mustPorts(t, spec) })
		serveIn(t, ns, 80, name)
		if got, err := dial(t, "", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), e.Ports[0].HostPort)); err != nil || got != name {
			t.Fatalf("round %d: %q, %v; want %q", i, got, err, name)
		}
		if err := env.m.DetachAll(env.ctx, e.ContainerID); err != nil {
			t.Fatal(err)
		}
	}
}

// freePort is a TCP port free on 127.0.0.1 right now.
func freePort(t *testing.T) uint16 {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port)
}

// network disconnect then connect of a running container: eth0 again.
func TestReconnectGetsEth0Again(t *testing.T) {
	env := newEnv(t, false)
	n := env.createNet("reconn-"+randHex(3), nil)
	e, ns := env.attach(n.Name, "c", nil)
	if err := env.m.Detach(env.ctx, n.Name, e.ContainerID); err != nil {
		t.Fatal(err)
	}
	again, err := env.m.Attach(env.ctx, n.Name, EndpointOptions{ContainerID: e.ContainerID, Name: "c", NetNSPath: ns})
	if err != nil {
		t.Fatal(err)
	}
	if again.IfName != "eth0" {
		t.Fatalf("after reconnect the interface is %s, want eth0", again.IfName)
	}
}

func TestTeardownLeavesNothingAndNewRestores(t *testing.T) {
	env := newEnv(t, true)
	n := env.createNet("td-"+randHex(3), nil)
	e, _ := env.attach(n.Name, "c", func(o *EndpointOptions) { o.Ports = mustPorts(t, "0:80") })
	if err := env.m.Teardown(env.ctx); err != nil {
		t.Fatal(err)
	}
	for _, br := range []string{n.Bridge, env.cfg.DefaultBridge, e.HostIfName} {
		if link.Exists(br) {
			t.Errorf("interface %s left after Teardown", br)
		}
	}
	if rules, ok := nftTable(env.cfg.Table); ok {
		t.Errorf("table left after Teardown:\n%s", rules)
	}
	env.restart(func(string) bool { return false })
	if !link.Exists(n.Bridge) || !link.Exists(env.cfg.DefaultBridge) {
		t.Fatalf("bridges not made again at start")
	}
	if _, ok := nftTable(env.cfg.Table); !ok {
		t.Fatalf("table not made again at start")
	}
}
