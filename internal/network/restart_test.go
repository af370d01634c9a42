package network

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/network/link"
	"github.com/containerd/errdefs"
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

func TestBadInput(t *testing.T) {
	env := newEnv(t, true)
	n := env.createNet("bad-"+randHex(3), nil)
	for _, tc := range []struct {
		o    CreateOptions
		want error
		says string
	}{
		{CreateOptions{Name: n.Name}, errdefs.ErrConflict, "already exists"},
		{CreateOptions{Name: "bridge"}, errdefs.ErrConflict, "already exists"},
		{CreateOptions{Name: "host"}, errdefs.ErrConflict, "already exists"},
		{CreateOptions{Name: "bad name"}, errdefs.ErrInvalidArgument, "invalid network name"},
		{CreateOptions{Name: "x" + randHex(3), Subnet: n.Subnet}, errdefs.ErrConflict, "overlaps"},
		{CreateOptions{Name: "x" + randHex(3), Subnet: netip.MustParsePrefix("10.99.0.1/24")}, errdefs.ErrInvalidArgument, "not a network address"},
		{CreateOptions{Name: "x" + randHex(3), Driver: "overlay"}, errdefs.ErrNotFound, "overlay"},
		{CreateOptions{Name: "x" + randHex(3), Options: map[string]string{OptionBridgeName: n.Bridge}}, errdefs.ErrConflict, n.Bridge},
		{CreateOptions{Name: "x" + randHex(3), Options: map[string]string{OptionMTU: "huge"}}, errdefs.ErrInvalidArgument, "huge"},
		{CreateOptions{Name: "x" + randHex(3), EnableIPv6: true}, errdefs.ErrInvalidArgument, "IPv6"},
		{CreateOptions{Name: "x" + randHex(3), Gateway: netip.MustParseAddr("10.1.1.1")}, errdefs.ErrInvalidArgument, "--subnet"},
	} {
		_, err := env.m.Create(env.ctx, tc.o)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Create(%+v) = %v, want %v saying %q", tc.o, err, tc.want, tc.says)
		}
	}
	if got := len(env.m.List()); got != 4 { // bridge, host, none and n
		t.Errorf("%d networks after bad creates, want 4", got)
	}

	e, ns := env.attach(n.Name, "c", nil)
	if _, err := env.m.Attach(env.ctx, n.Name, EndpointOptions{ContainerID: e.ContainerID, Name: "c", NetNSPath: ns}); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("connecting twice: %v, want Conflict", err)
	}
	if _, err := env.m.Attach(env.ctx, n.Name, EndpointOptions{ContainerID: randHex(32), Name: "d", NetNSPath: newNetns(t), IP: e.IP()}); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("taken --ip: %v, want Conflict", err)
	}
	if _, err := env.m.Attach(env.ctx, n.Name, EndpointOptions{ContainerID: randHex(32), Name: "d", NetNSPath: "/nonexistent/ns"}); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("missing namespace: %v, want NotFound", err)
	}
	if _, err := env.m.Attach(env.ctx, DefaultNetwork, EndpointOptions{ContainerID: randHex(32), Name: "d", NetNSPath: newNetns(t), Aliases: []string{"x"}}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("alias on the default bridge: %v, want InvalidArgument", err)
	}
	if err := env.m.Remove(env.ctx, DefaultNetwork); !errors.Is(err, errdefs.ErrPermissionDenied) {
		t.Errorf("removing bridge: %v, want PermissionDenied", err)
	}
	if got := containersOn(t, env.m, n.Name); got != 1 {
		t.Errorf("%d containers after refused attaches, want 1", got)
	}
	if removed, err := env.m.Prune(env.ctx, nil); err != nil || len(removed) != 0 {
		t.Errorf("Prune with a busy network removed %v, %v", removed, err)
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
