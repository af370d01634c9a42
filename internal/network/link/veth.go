package link

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/containerd/errdefs"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// Veth describes one endpoint's veth pair.
type Veth struct {
	Bridge    string // host bridge the host end joins
	HostName  string // name of the host end
	NetNSPath string // the container's network namespace (/proc/PID/ns/net or a bind mount)
	Address   netip.Prefix
	Gateway   netip.Addr // default route; zero for none (internal networks)
	MAC       net.HardwareAddr
	MTU       int
}

// AddVeth creates the pair with the container end directly inside the
// namespace, named eth0 (or the next free ethN), configures it and brings up
// loopback. It returns the container-side name. On error nothing is left.
func AddVeth(v Veth) (string, error) {
	ns, err := netns.GetFromPath(v.NetNSPath)
	if err != nil {
		return "", fmt.Errorf("network namespace %s: %w", v.NetNSPath, errdefs.ErrNotFound)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return "", fmt.Errorf("netlink in %s: %w", v.NetNSPath, err)
	}
	defer h.Close()
	br, err := netlink.LinkByName(v.Bridge)
	if err != nil {
		return "", fmt.Errorf("bridge %s: %w", v.Bridge, err)
	}
	ifName, err := nextEth(h)
	if err != nil {
		return "", err
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = v.HostName
	attrs.MasterIndex = br.Attrs().Index
	if v.MTU > 0 {
		attrs.MTU = v.MTU
	}
	pair := &netlink.Veth{LinkAttrs: attrs, PeerName: ifName, PeerHardwareAddr: v.MAC, PeerNamespace: netlink.NsFd(int(ns))}
	if v.MTU > 0 {
		pair.PeerMTU = uint32(v.MTU)
	}
	if err := netlink.LinkAdd(pair); err != nil {
		return "", fmt.Errorf("create veth %s: %w", v.HostName, err)
	}
	if err := configure(h, v, ifName); err != nil {
		_ = DeleteLink(v.HostName)
		return "", err
	}
	return ifName, nil
}

func configure(h *netlink.Handle, v Veth, ifName string) error {
	host, err := netlink.LinkByName(v.HostName)
	if err != nil {
		return fmt.Errorf("veth %s: %w", v.HostName, err)
	}
	// Hairpin lets a container reach itself through a published port.
	if err := netlink.LinkSetHairpin(host, true); err != nil {
		return fmt.Errorf("veth %s: hairpin: %w", v.HostName, err)
	}
	if err := netlink.LinkSetUp(host); err != nil {
		return fmt.Errorf("veth %s: up: %w", v.HostName, err)
	}
	peer, err := h.LinkByName(ifName)
	if err != nil {
		return fmt.Errorf("container interface %s: %w", ifName, err)
	}
	if err := h.AddrAdd(peer, &netlink.Addr{IPNet: ipNet(v.Address)}); err != nil {
		return fmt.Errorf("container interface %s: address %s: %w", ifName, v.Address, err)
	}
	if err := h.LinkSetUp(peer); err != nil {
		return fmt.Errorf("container interface %s: up: %w", ifName, err)
	}
	if lo, err := h.LinkByName("lo"); err == nil {
		if err := h.LinkSetUp(lo); err != nil {
			return fmt.Errorf("loopback up: %w", err)
		}
	}
	if v.Gateway.IsValid() {
		// A second network keeps the first one's default route, as Docker.
		routes, err := retryDump(func() ([]netlink.Route, error) { return h.RouteList(nil, netlink.FAMILY_V4) })
		if err != nil {
			return fmt.Errorf("list routes: %w", err)
		}
		for _, r := range routes {
			if r.Dst == nil || r.Dst.IP.IsUnspecified() && r.Gw != nil {
				return nil
			}
		}
		route := &netlink.Route{LinkIndex: peer.Attrs().Index, Gw: v.Gateway.AsSlice()}
		if err := h.RouteAdd(route); err != nil {
			return fmt.Errorf("default route via %s: %w", v.Gateway, err)
		}
	}
	return nil
}

func nextEth(h *netlink.Handle) (string, error) {
	links, err := retryDump(h.LinkList)
	if err != nil {
		return "", fmt.Errorf("list interfaces: %w", err)
	}
	used := map[string]bool{}
	for _, l := range links {
		used[l.Attrs().Name] = true
	}
	for i := 0; ; i++ {
		if n := fmt.Sprintf("eth%d", i); !used[n] {
			return n, nil
		}
	}
}
