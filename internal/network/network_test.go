package network

import (
	"errors"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/network/link"
	"github.com/berthproject/berth/internal/network/portspec"
	"github.com/containerd/errdefs"
	mobynet "github.com/moby/moby/api/types/network"
	"github.com/vishvananda/netlink"
)

func (env *testEnv) createNet(name string, mut func(*CreateOptions)) *Network {
	env.t.Helper()
	o := CreateOptions{Name: name, Subnet: freeSubnet(env.t),
		Options: map[string]string{OptionBridgeName: "bt" + randHex(4)}}
	if mut != nil {
		mut(&o)
	}
	n, err := env.m.Create(env.ctx, o)
	if err != nil {
		env.t.Fatalf("create network %s: %v", name, err)
	}
	return n
}

func (env *testEnv) attach(net, name string, mut func(*EndpointOptions)) (*Endpoint, string) {
	env.t.Helper()
	ns := newNetns(env.t)
	o := EndpointOptions{ContainerID: randHex(32), Name: name, NetNSPath: ns}
	if mut != nil {
		mut(&o)
	}
	e, err := env.m.Attach(env.ctx, net, o)
	if err != nil {
		env.t.Fatalf("attach %s to %s: %v", name, net, err)
	}
	return e, ns
}

func mustPorts(t testing.TB, specs ...string) []portspec.Mapping {
	var out []portspec.Mapping
	for _, s := range specs {
		ms, err := portspec.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ms...)
	}
	return out
}

func TestTwoContainersTalkOverTheBridge(t *testing.T) {
	env := newEnv(t, false)
	n := env.createNet("talk-"+randHex(3), func(o *CreateOptions) { o.Options[OptionMTU] = "1400" })
	a, nsA := env.attach(n.Name, "a", nil)
	b, nsB := env.attach(n.Name, "b", nil)
	if a.IfName != "eth0" || a.IP() == b.IP() || !n.Subnet.Contains(a.IP()) {
		t.Fatalf("endpoints a=%+v b=%+v on %s", a, b, n.Subnet)
	}
	port := serveIn(t, nsB, 0, "hello from b")
	if got, err := dial(t, nsA, netip.AddrPortFrom(b.IP(), port)); err != nil || got != "hello from b" {
		t.Fatalf("a -> b: %q, %v", got, err)
	}
	// The container side has the MTU, MAC and default route Docker gives.
	out, _ := exec.Command("ip", "-n", strings.TrimPrefix(nsA, "/run/netns/"), "-o", "link", "show", "eth0").CombinedOutput()
	if !strings.Contains(string(out), "mtu 1400") || !strings.Contains(string(out), a.MAC) {
		t.Errorf("eth0 in a: %s; want mtu 1400 and MAC %s", out, a.MAC)
	}
	out, _ = exec.Command("ip", "-n", strings.TrimPrefix(nsA, "/run/netns/"), "route", "show", "default").CombinedOutput()
	if !strings.Contains(string(out), "via "+n.Gateway.String()) {
		t.Errorf("default route in a: %q, want via %s", out, n.Gateway)
	}
}

func TestPublishedPortFromHostLoopbackAndHairpin(t *testing.T) {
	env := newEnv(t, false)
	host := hostAddr(t)
	n := env.createNet("pub-"+randHex(3), nil)
	web, nsWeb := env.attach(n.Name, "web", func(o *EndpointOptions) {
		o.Ports = mustPorts(t, "0:8080") // ephemeral host port for container port 8080
	})
	if len(web.Ports) != 1 || web.Ports[0].HostPort < ephemeralFirst {
		t.Fatalf("ports = %+v, want one ephemeral host port", web.Ports)
	}
	hp := web.Ports[0].HostPort
	pm := web.PortMap()
	if b := pm[mobynet.MustParsePort("8080/tcp")]; len(b) != 1 || b[0].HostIP.String() != "0.0.0.0" || b[0].HostPort != strconv.Itoa(int(hp)) {
		t.Errorf("PortMap = %v, want 8080/tcp -> 0.0.0.0:%d", pm, hp)
	}
	serveIn(t, nsWeb, 8080, "web")
	for _, addr := range []netip.Addr{netip.MustParseAddr("127.0.0.1"), host} {
		got, err := dial(t, "", netip.AddrPortFrom(addr, hp))
		if err != nil || got != "web" {
			t.Errorf("host -> %s:%d: %q, %v", addr, hp, got, err)
		}
	}
	// Hairpin: another container, and the container itself, through the host address.
	_, nsOther := env.attach(n.Name, "other", nil)
	for _, ns := range []string{nsOther, nsWeb} {
		got, err := dial(t, ns, netip.AddrPortFrom(host, hp))
		if err != nil || got != "web" {
			t.Errorf("hairpin from %s -> %s:%d: %q, %v", ns, host, hp, got, err)
		}
	}
	// The same fixed host port again is refused, naming it; nothing is left.
	_, err := env.m.Attach(env.ctx, n.Name, EndpointOptions{ContainerID: randHex(32), Name: "dup", NetNSPath: newNetns(t),
		Ports: []portspec.Mapping{{HostPort: hp, ContainerPort: 80, Proto: "tcp"}}})
	if !errors.Is(err, errdefs.ErrConflict) || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("second publish of %d: %v, want Conflict 'already in use'", hp, err)
	}
	if got := containersOn(t, env.m, n.Name); got != 2 {
		t.Fatalf("after the refused attach %d containers on the network, want 2", got)
	}
}

func containersOn(t *testing.T, m *Manager, ref string) int {
	t.Helper()
	in, err := m.Inspect(ref)
	if err != nil {
		t.Fatal(err)
	}
	return len(in.Containers)
}

func TestIsolationAndInternal(t *testing.T) {
	env := newEnv(t, false)
	n1 := env.createNet("iso1-"+randHex(3), nil)
	n2 := env.createNet("iso2-"+randHex(3), nil)
	in := env.createNet("int-"+randHex(3), func(o *CreateOptions) { o.Internal = true })
	_, ns1 := env.attach(n1.Name, "one", nil)
	two, ns2 := env.attach(n2.Name, "two", nil)
	inner, nsIn := env.attach(in.Name, "inner", func(o *EndpointOptions) { o.Ports = mustPorts(t, "0:80") })
	if len(inner.Ports) != 0 {
		t.Errorf("ports published from an internal network: %v", inner.Ports)
	}
	peer, nsPeer := env.attach(in.Name, "peer", nil)
	p2 := serveIn(t, ns2, 0, "two")
	if _, err := dial(t, ns1, netip.AddrPortFrom(two.IP(), p2)); err == nil {
		t.Errorf("container on %s reached %s on %s: networks are not isolated", n1.Name, two.IP(), n2.Name)
	}
	if inner.Gateway.IsValid() {
		t.Errorf("internal endpoint has gateway %s", inner.Gateway)
	}
	if _, err := dial(t, nsIn, netip.AddrPortFrom(two.IP(), p2)); err == nil {
		t.Errorf("internal network reached %s outside", two.IP())
	}
	// Even with a route added by hand, the filter drops the traffic.
	if out, err := exec.Command("ip", "-n", strings.TrimPrefix(nsIn, "/run/netns/"), "route", "add", "default", "via", in.Gateway.String()).CombinedOutput(); err != nil {
		t.Fatalf("add route: %v %s", err, out)
	}
	if _, err := dial(t, nsIn, netip.AddrPortFrom(two.IP(), p2)); err == nil {
		t.Errorf("internal network with a hand-made route reached %s", two.IP())
	}
	// Inside the internal network, containers still talk.
	pp := serveIn(t, nsPeer, 0, "peer")
	if got, err := dial(t, nsIn, netip.AddrPortFrom(peer.IP(), pp)); err != nil || got != "peer" {
		t.Errorf("inside the internal network: %q, %v", got, err)
	}
	rules, _ := nftTable(env.cfg.Table)
	if strings.Contains(rules, in.Subnet.String()+` oifname != "`+in.Bridge+`" masquerade`) {
		t.Errorf("internal network is masqueraded:\n%s", rules)
	}
}

func TestRemoveLeavesNothing(t *testing.T) {
	env := newEnv(t, false)
	n := env.createNet("gone-"+randHex(3), nil)
	e, ns := env.attach(n.Name, "c", func(o *EndpointOptions) { o.Ports = mustPorts(t, "0:80") })
	if err := env.m.Remove(env.ctx, n.Name); !errors.Is(err, errdefs.ErrConflict) || !strings.Contains(err.Error(), "c") {
		t.Fatalf("removing a network in use: %v, want Conflict naming c", err)
	}
	if err := env.m.Detach(env.ctx, n.Name, e.ContainerID); err != nil {
		t.Fatal(err)
	}
	if err := env.m.Settle(env.ctx); err != nil {
		t.Fatal(err)
	}
	if rules, _ := nftTable(env.cfg.Table); strings.Contains(rules, " : "+e.IP().String()+" . 80") {
		t.Errorf("port rule of the detached endpoint left:\n%s", rules)
	}
	if link.Exists(e.HostIfName) {
		t.Errorf("veth %s left after Detach", e.HostIfName)
	}
	out, _ := exec.Command("ip", "-n", strings.TrimPrefix(ns, "/run/netns/"), "-o", "addr").CombinedOutput()
	if strings.Contains(string(out), e.IP().String()) {
		t.Errorf("address %s left in the namespace: %s", e.IP(), out)
	}
	if err := env.m.Remove(env.ctx, n.Name); err != nil {
		t.Fatal(err)
	}
	if link.Exists(n.Bridge) {
		t.Errorf("bridge %s left after Remove", n.Bridge)
	}
	routes, _ := netlink.RouteList(nil, netlink.FAMILY_V4)
	for _, r := range routes {
		if r.Dst != nil && r.Dst.String() == n.Subnet.String() {
			t.Errorf("route %s left after Remove", r.Dst)
		}
	}
	if rules, ok := nftTable(env.cfg.Table); ok {
		t.Errorf("table %s left after the last network went:\n%s", env.cfg.Table, rules)
	}
	if _, err := env.m.Get(n.Name); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("Get after Remove: %v, want NotFound", err)
	}
}
