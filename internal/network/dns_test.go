package network

import (
	"net"
	"net/netip"
	"testing"

	"github.com/berthproject/berth/internal/network/dns"
	mdns "github.com/miekg/dns"
)

// testUpstream is a DNS server on the host's loopback answering
// ext.test. A 192.0.2.77, standing in for the host's resolvers.
func testUpstream(t *testing.T) netip.AddrPort {
	return testUpstreamAt(t, "127.0.0.1:0", "192.0.2.77")
}

// testUpstreamAt serves ext.test. A answer on addr.
func testUpstreamAt(t *testing.T, addr, answer string) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(func(w mdns.ResponseWriter, q *mdns.Msg) {
		m := new(mdns.Msg).SetReply(q)
		if q.Question[0].Name == "ext.test." {
			rr, _ := mdns.NewRR("ext.test. 60 IN A " + answer)
			m.Answer = append(m.Answer, rr)
		} else {
			m.Rcode = mdns.RcodeNameError
		}
		_ = w.WriteMsg(m)
	})}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return netip.MustParseAddrPort(pc.LocalAddr().String())
}

// lookupIn asks the embedded server from inside the namespace, as a
// container's resolver would; it returns the A answers and the rcode.
func lookupIn(t *testing.T, ns, name string) ([]string, int) {
	t.Helper()
	var r *mdns.Msg
	var err error
	inNetns(t, ns, func() {
		r, _, err = new(mdns.Client).Exchange(new(mdns.Msg).SetQuestion(mdns.Fqdn(name), mdns.TypeA), dns.Address.String())
	})
	if err != nil {
		t.Fatalf("lookup %s in %s: %v", name, ns, err)
	}
	var out []string
	for _, rr := range r.Answer {
		if a, ok := rr.(*mdns.A); ok {
			out = append(out, a.A.String())
		}
	}
	return out, r.Rcode
}

func TestEmbeddedDNSByNameAliasAndShortID(t *testing.T) {
	env := newEnv(t, true, testUpstream(t))
	n := env.createNet("dns-"+randHex(3), nil)
	other := env.createNet("dns2-"+randHex(3), nil)
	web, _ := env.attach(n.Name, "web", func(o *EndpointOptions) { o.Aliases = []string{"www", "frontend"} })
	_, nsClient := env.attach(n.Name, "client", nil)
	hidden, _ := env.attach(other.Name, "hidden", nil)

	for _, name := range []string{"web", "WWW", "frontend", web.ContainerID[:12]} {
		got, _ := lookupIn(t, nsClient, name)
		if len(got) != 1 || got[0] != web.IP().String() {
			t.Errorf("%s from client: %v, want [%s]", name, got, web.IP())
		}
	}
	// Names on another network are not visible; they go upstream (NXDOMAIN).
	if got, rcode := lookupIn(t, nsClient, "hidden"); len(got) != 0 || rcode != mdns.RcodeNameError {
		t.Errorf("hidden (on %s) from client: %v rcode %d, want NXDOMAIN", other.Name, got, rcode)
	}
	if got, _ := lookupIn(t, nsClient, "ext.test"); len(got) != 1 || got[0] != "192.0.2.77" {
		t.Errorf("ext.test forwarded: %v", got)
	}
	// Connecting the client to the other network makes hidden resolvable.
	if _, err := env.m.Attach(env.ctx, other.Name, EndpointOptions{ContainerID: endpointOf(t, env.m, nsClient).ContainerID,
		Name: "client", NetNSPath: nsClient}); err != nil {
		t.Fatal(err)
	}
	if got, _ := lookupIn(t, nsClient, "hidden"); len(got) != 1 || got[0] != hidden.IP().String() {
		t.Errorf("hidden after connect: %v, want [%s]", got, hidden.IP())
	}

	// --dns replaces the upstreams for that container only.
	b := []byte(randHex(3))
	own := testUpstreamAt(t, netip.AddrFrom4([4]byte{127, 100 + b[0]%100, b[1], b[2]}).String()+":53", "192.0.2.88")
	_, nsOwn := env.attach(n.Name, "own", func(o *EndpointOptions) { o.DNS = []netip.Addr{own.Addr()} })
	if got, _ := lookupIn(t, nsOwn, "ext.test"); len(got) != 1 || got[0] != "192.0.2.88" {
		t.Errorf("ext.test with --dns %s: %v, want [192.0.2.88]", own.Addr(), got)
	}
	if got, _ := lookupIn(t, nsOwn, "web"); len(got) != 1 || got[0] != web.IP().String() {
		t.Errorf("web with --dns: %v, want [%s]", got, web.IP())
	}

	// The default bridge has no embedded DNS, as Docker's.
	_, nsDefault := env.attach(DefaultNetwork, "plain", nil)
	var err error
	inNetns(t, nsDefault, func() {
		_, _, err = new(mdns.Client).Exchange(new(mdns.Msg).SetQuestion("web.", mdns.TypeA), dns.Address.String())
	})
	if err == nil {
		t.Errorf("a DNS server answers on the default bridge")
	}
}

func endpointOf(t *testing.T, m *Manager, ns string) Endpoint {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.eps {
		if e.NetNSPath == ns {
			return *e
		}
	}
	t.Fatalf("no endpoint in %s", ns)
	return Endpoint{}
}
