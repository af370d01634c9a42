package network

import (
	"errors"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/vishvananda/netlink"
)

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
	// 127.0.0.11:53 taken inside the namespace: the attach fails whole.
	busy := newNetns(t)
	if out, err := exec.Command("ip", "-n", strings.TrimPrefix(busy, "/run/netns/"), "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v %s", err, out)
	}
	var squatter net.PacketConn
	inNetns(t, busy, func() { squatter, _ = net.ListenPacket("udp4", "127.0.0.11:53") })
	if squatter == nil {
		t.Fatal("could not take 127.0.0.11:53 in the test namespace")
	}
	defer squatter.Close()
	before := bridgePorts(t, n.Bridge)
	if _, err := env.m.Attach(env.ctx, n.Name, EndpointOptions{ContainerID: randHex(32), Name: "d", NetNSPath: busy, Ports: mustPorts(t, "0:80")}); err == nil {
		t.Errorf("attach with 127.0.0.11:53 taken succeeded")
	}
	if after := bridgePorts(t, n.Bridge); after != before {
		t.Errorf("failed attach left interfaces on bridge %s: %d before, %d after", n.Bridge, before, after)
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

// bridgePorts counts the interfaces enslaved to bridge.
func bridgePorts(t *testing.T, bridge string) int {
	t.Helper()
	br, err := netlink.LinkByName(bridge)
	if err != nil {
		t.Fatal(err)
	}
	links, _ := netlink.LinkList()
	count := 0
	for _, l := range links {
		if l.Attrs().MasterIndex == br.Attrs().Index {
			count++
		}
	}
	return count
}
