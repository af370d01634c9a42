package dns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"testing"

	"github.com/miekg/dns"
)

// testNetns makes a namespace with loopback up, removed at cleanup.
func testNetns(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces)")
	}
	b := make([]byte, 4)
	rand.Read(b)
	name := "bdns" + hex.EncodeToString(b)
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	if out, err := exec.Command("ip", "-n", name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v: %s", err, out)
	}
	return "/run/netns/" + name
}

// testUpstream serves ext.test. A 192.0.2.77 on the host's loopback.
func testUpstream(t *testing.T) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg).SetReply(q)
		if q.Question[0].Name == "ext.test." {
			rr, _ := dns.NewRR("ext.test. 60 IN A 192.0.2.77")
			m.Answer = append(m.Answer, rr)
		} else {
			m.Rcode = dns.RcodeNameError
		}
		_ = w.WriteMsg(m)
	})}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return netip.MustParseAddrPort(pc.LocalAddr().String())
}

// queryIn asks 127.0.0.11 from inside the namespace.
func queryIn(t *testing.T, nsPath, name string, qtype uint16, proto string) *dns.Msg {
	t.Helper()
	var r *dns.Msg
	err := inNetns(nsPath, func() error {
		var err error
		r, _, err = (&dns.Client{Net: proto}).Exchange(new(dns.Msg).SetQuestion(dns.Fqdn(name), qtype), Address.String())
		return err
	})
	if err != nil {
		t.Fatalf("query %s over %s: %v", name, proto, err)
	}
	return r
}

func TestServerAnswersNamesAndForwards(t *testing.T) {
	ns := testNetns(t)
	up := testUpstream(t)
	web := netip.MustParseAddr("10.77.0.2")
	s, err := Start(context.Background(), ns, Config{
		Resolve: func(name string) ([]netip.Addr, bool) {
			if name == "web" || name == "www" {
				return []netip.Addr{web}, true
			}
			return nil, false
		},
		Upstreams: func() []netip.AddrPort { return []netip.AddrPort{up} },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	for _, proto := range []string{"udp", "tcp"} {
		for _, name := range []string{"web", "WWW"} {
			r := queryIn(t, ns, name, dns.TypeA, proto)
			if len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != web.String() {
				t.Errorf("%s %s: answer %v, want %s", proto, name, r.Answer, web)
			}
		}
	}
	if r := queryIn(t, ns, "web", dns.TypeAAAA, "udp"); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 {
		t.Errorf("AAAA web: rcode %d answer %v, want NOERROR and none", r.Rcode, r.Answer)
	}
	if r := queryIn(t, ns, "ext.test", dns.TypeA, "udp"); len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.77" {
		t.Errorf("forwarded ext.test: %v", r)
	}
	if r := queryIn(t, ns, "nope.test", dns.TypeA, "udp"); r.Rcode != dns.RcodeNameError {
		t.Errorf("forwarded nope.test: rcode %d, want NXDOMAIN", r.Rcode)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The address is free again once closed: a new server can start.
	s2, err := Start(context.Background(), ns, Config{
		Resolve:   func(string) ([]netip.Addr, bool) { return nil, false },
		Upstreams: func() []netip.AddrPort { return nil },
	})
	if err != nil {
		t.Fatalf("restart after Close: %v", err)
	}
	defer s2.Close()
	if r := queryIn(t, ns, "ext.test", dns.TypeA, "udp"); r.Rcode != dns.RcodeServerFailure {
		t.Errorf("no upstreams: rcode %d, want SERVFAIL", r.Rcode)
	}
}
