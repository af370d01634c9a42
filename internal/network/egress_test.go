package network

import (
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestOutboundMasqueradeAndInternalEgress(t *testing.T) {
	env := newEnv(t, false)
	outNS, outAddr, hostEnd := outside(t)
	port := serveRemoteAddr(t, outNS)
	n := env.createNet("out-"+randHex(3), nil)
	in := env.createNet("noout-"+randHex(3), func(o *CreateOptions) { o.Internal = true })
	_, ns := env.attach(n.Name, "c", nil)
	_, nsIn := env.attach(in.Name, "i", nil)

	// The world sees the host's address, not the container's.
	got, err := dial(t, ns, netip.AddrPortFrom(outAddr, port))
	if err != nil || got != hostEnd.String() {
		t.Fatalf("outbound from a container: seen as %q, %v; want the host's %s", got, err, hostEnd)
	}
	if _, err := dial(t, nsIn, netip.AddrPortFrom(outAddr, port)); err == nil {
		t.Fatalf("a container on internal network %s reached %s", in.Name, outAddr)
	}
}

func TestPublishedUDPPort(t *testing.T) {
	env := newEnv(t, false)
	n := env.createNet("udp-"+randHex(3), nil)
	e, ns := env.attach(n.Name, "dns", func(o *EndpointOptions) { o.Ports = mustPorts(t, "127.0.0.1::5353/udp") })
	var pc net.PacketConn
	inNetns(t, ns, func() {
		var err error
		if pc, err = net.ListenPacket("udp4", "0.0.0.0:5353"); err != nil {
			t.Errorf("listen udp: %v", err)
		}
	})
	if pc == nil {
		t.FailNow()
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			k, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = pc.WriteTo([]byte(strings.ToUpper(string(buf[:k]))), from)
		}
	}()
	c, err := net.Dial("udp4", fmt.Sprintf("127.0.0.1:%d", e.Ports[0].HostPort))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	k, err := c.Read(buf)
	if err != nil || string(buf[:k]) != "PING" {
		t.Fatalf("UDP through 127.0.0.1:%d: %q, %v", e.Ports[0].HostPort, buf[:k], err)
	}
}

func TestFromOutsideOnlyPublishedPorts(t *testing.T) {
	env := newEnv(t, false)
	outNS, _, hostEnd := outside(t)
	n := env.createNet("in-"+randHex(3), nil)
	web, nsWeb := env.attach(n.Name, "web", func(o *EndpointOptions) { o.Ports = mustPorts(t, "0:80") })
	serveIn(t, nsWeb, 80, "web")
	private := serveIn(t, nsWeb, 0, "private")
	// A neighbour that routes the container subnet through the host.
	if out, err := exec.Command("ip", "-n", strings.TrimPrefix(outNS, "/run/netns/"), "route", "add", n.Subnet.String(), "via", hostEnd.String()).CombinedOutput(); err != nil {
		t.Fatalf("route: %v %s", err, out)
	}
	hp := web.Ports[0].HostPort
	if got, err := dial(t, outNS, netip.AddrPortFrom(hostEnd, hp)); err != nil || got != "web" {
		t.Errorf("neighbour -> host %s:%d (published): %q, %v", hostEnd, hp, got, err)
	}
	for _, p := range []uint16{80, private} {
		if got, err := dial(t, outNS, netip.AddrPortFrom(web.IP(), p)); err == nil {
			t.Errorf("neighbour reached the container directly at %s:%d (%q)", web.IP(), p, got)
		}
	}
}
