// Package link makes the kernel objects of a bridge network with netlink:
// the bridge with its gateway address, and per endpoint a veth pair whose
// host end joins the bridge and whose other end lives in the container's
// network namespace with its address and default route.
package link

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/containerd/errdefs"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// EnsureBridge creates bridge name, or adopts an existing one (after a
// daemon restart), gives it gateway (the gateway address with the subnet's
// prefix length) and mtu, and brings it up.
func EnsureBridge(name string, gateway netip.Prefix, mtu int) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if !errors.As(err, &nf) {
			return fmt.Errorf("bridge %s: %w", name, err)
		}
		attrs := netlink.NewLinkAttrs()
		attrs.Name = name
		if mtu > 0 {
			attrs.MTU = mtu
		}
		if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil {
			return fmt.Errorf("create bridge %s: %w", name, err)
		}
		if l, err = netlink.LinkByName(name); err != nil {
			return fmt.Errorf("bridge %s: %w", name, err)
		}
	} else if l.Type() != "bridge" {
		return fmt.Errorf("interface %s exists and is a %s, not a bridge: %w", name, l.Type(), errdefs.ErrConflict)
	}
	addr := &netlink.Addr{IPNet: ipNet(gateway)}
	if err := netlink.AddrReplace(l, addr); err != nil {
		return fmt.Errorf("bridge %s: address %s: %w", name, gateway, err)
	}
	// Loopback-sourced packets DNATed from 127.0.0.1 to a container must be
	// routable out of the bridge (see docs/networking.md).
	if err := writeSysctl("net/ipv4/conf/"+name+"/route_localnet", "1"); err != nil {
		return err
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return fmt.Errorf("bridge %s: up: %w", name, err)
	}
	return nil
}

// DeleteBridge removes bridge name; an absent bridge is not an error.
func DeleteBridge(name string) error {
	return DeleteLink(name)
}

// DeleteLink removes interface name (a veth end takes its peer with it);
// an absent interface is not an error.
func DeleteLink(name string) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("interface %s: %w", name, err)
	}
	// ENODEV: the kernel removed it meanwhile (its namespace went).
	if err := netlink.LinkDel(l); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete interface %s: %w", name, err)
	}
	return nil
}

// Exists reports whether interface name exists in the host namespace.
func Exists(name string) bool {
	_, err := netlink.LinkByName(name)
	return err == nil
}

// EnableForwarding turns on IPv4 forwarding, which NAT needs, as Docker does.
func EnableForwarding() error {
	return writeSysctl("net/ipv4/ip_forward", "1")
}

func writeSysctl(key, value string) error {
	if err := os.WriteFile("/proc/sys/"+key, []byte(value), 0o644); err != nil {
		return fmt.Errorf("sysctl %s=%s: %w", key, value, err)
	}
	return nil
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// retryDump repeats a netlink dump that a concurrent change interrupted
// (netlink.ErrDumpInterrupted): interfaces and routes come and go while
// other containers start and stop.
func retryDump[T any](dump func() (T, error)) (T, error) {
	for i := 0; ; i++ {
		v, err := dump()
		if !errors.Is(err, netlink.ErrDumpInterrupted) || i == 9 {
			return v, err
		}
	}
}

// Routes lists the host's IPv4 routes.
func Routes() ([]netlink.Route, error) {
	return retryDump(func() ([]netlink.Route, error) { return netlink.RouteList(nil, netlink.FAMILY_V4) })
}
