package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"

	"github.com/berthproject/berth/internal/network/link"
	"github.com/berthproject/berth/internal/network/nft"
	"github.com/containerd/errdefs"
)

// Attach connects a container (its network namespace must exist) to a
// network: an address from IPAM, a veth pair with the container end in the
// namespace (address, default route via the gateway unless internal, MTU),
// the published ports and, on a user-defined network, the embedded DNS
// server on 127.0.0.11. On error nothing is left.
func (m *Manager) Attach(ctx context.Context, ref string, o EndpointOptions) (*Endpoint, error) {
	if o.ContainerID == "" || o.NetNSPath == "" {
		return nil, fmt.Errorf("attach: container ID and network namespace path are required: %w", errdefs.ErrInvalidArgument)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.waitPorts(ctx, o.Ports); err != nil {
		return nil, err
	}
	n, err := m.lookup(ref)
	if err != nil {
		return nil, err
	}
	if n.Driver != "bridge" {
		return nil, fmt.Errorf("network %s (%s driver) has no endpoints; the container service handles it: %w", n.Name, n.Driver, errdefs.ErrInvalidArgument)
	}
	for _, e := range m.eps {
		if e.NetworkID == n.ID && e.ContainerID == o.ContainerID {
			return nil, fmt.Errorf("container %s is already connected to network %s: %w", o.Name, n.Name, errdefs.ErrConflict)
		}
	}
	if n.IsDefault() && (len(o.Aliases) > 0 || o.IP.IsValid()) {
		return nil, fmt.Errorf("network-scoped aliases and user specified IP addresses are supported only on user-defined networks: %w", errdefs.ErrInvalidArgument)
	}
	pool := m.pools[n.ID]
	ip, err := pool.Allocate(o.IP)
	if err != nil {
		return nil, fmt.Errorf("network %s: %w", n.Name, err)
	}
	e := &Endpoint{ID: newID(), NetworkID: n.ID, ContainerID: o.ContainerID, Name: o.Name,
		Aliases: slices.Clone(o.Aliases), DNS: slices.Clone(o.DNS), NetNSPath: o.NetNSPath, Address: netip.PrefixFrom(ip, n.Subnet.Bits()), RequestedIP: o.IP.IsValid(), MTU: n.MTU}
	e.HostIfName = "veth" + e.ID[:7]
	if !n.Internal {
		e.Gateway = n.Gateway
	}
	mac := o.MAC
	if mac == nil {
		// Docker's classic scheme: 02:42 and the IPv4 address, unique on the subnet.
		a := ip.As4()
		mac = net.HardwareAddr{0x02, 0x42, a[0], a[1], a[2], a[3]}
	}
	e.MAC = mac.String()

	var undo []func()
	fail := func(err error) (*Endpoint, error) {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
		return nil, err
	}
	undo = append(undo, func() { pool.Release(ip) })
	// Docker publishes nothing from an internal network: ports are ignored.
	if !n.Internal {
		if e.Ports, err = m.ports.reserve(o.Ports); err != nil {
			return fail(err)
		}
	}
	undo = append(undo, func() { m.ports.release(e.Ports) })
	ifName, err := link.AddVeth(link.Veth{Bridge: n.Bridge, HostName: e.HostIfName, NetNSPath: o.NetNSPath,
		Address: e.Address, Gateway: e.Gateway, MAC: mac, MTU: n.MTU})
	if err != nil {
		return fail(fmt.Errorf("attach %s to network %s: %w", o.Name, n.Name, err))
	}
	e.IfName = ifName
	undo = append(undo, func() { _ = link.DeleteLink(e.HostIfName) })
	m.eps[e.ID] = e
	undo = append(undo, func() { delete(m.eps, e.ID); m.publish(); _ = m.applyRules() })
	m.publish()
	// Only new map elements: a container start never rewrites rules. If
	// the table is not as expected, rewrite it whole.
	if err := nft.AddForwards(m.cfg.Table, m.forwards(e)); err != nil {
		if err := m.applyRules(); err != nil {
			return fail(err)
		}
	}
	if err := m.startDNS(ctx, e); err != nil {
		return fail(err)
	}
	if err := m.putRecord(ctx, "endpoint/"+e.ID, e); err != nil {
		m.stopDNSIfUnused(e.ContainerID)
		return fail(err)
	}
	n.NextIP = pool.Next
	if err := m.putRecord(ctx, "network/"+n.ID, n); err != nil {
		m.log.Warn("save IPAM cursor", "network", n.Name, "err", err)
	}
	c := *e
	return &c, nil
}

// Detach disconnects a container from a network, removing its veth,
// address, published ports and (if it was the last user-defined network of
// the container) its DNS server. A namespace that is already gone is fine.
func (m *Manager) Detach(ctx context.Context, ref, containerID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup(ref)
	if err != nil {
		return err
	}
	for _, e := range m.eps {
		if e.NetworkID == n.ID && e.ContainerID == containerID {
			return m.detach(ctx, e)
		}
	}
	return fmt.Errorf("container %s is not connected to network %s: %w", containerID, n.Name, errdefs.ErrNotFound)
}

// DetachAll disconnects a container from every network (at stop or removal).
func (m *Manager) DetachAll(ctx context.Context, containerID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for _, e := range m.eps {
		if e.ContainerID == containerID {
			errs = append(errs, m.detach(ctx, e))
		}
	}
	return errors.Join(errs...)
}

func (m *Manager) detach(ctx context.Context, e *Endpoint) error {
	if err := m.cfg.Store.Delete(ctx, "endpoint/"+e.ID); err != nil {
		return fmt.Errorf("detach %s: %w", e.Name, err)
	}
	delete(m.eps, e.ID)
	m.publish()
	m.stopDNSIfUnused(e.ContainerID)
	// The kernel side is mostly left to the retirer (retire.go).
	if _, err := os.Stat(e.NetNSPath); err != nil {
		m.retire(e, e.HostIfName) // stopped: the namespace is going anyway
		return nil
	}
	m.retire(e, "")
	return link.DeleteLink(e.HostIfName) // running: free its eth name now
}

// Endpoints returns copies of a container's endpoints.
func (m *Manager) Endpoints(containerID string) []Endpoint {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Endpoint
	for _, e := range m.eps {
		if e.ContainerID == containerID {
			out = append(out, *e)
		}
	}
	slices.SortFunc(out, func(a, b Endpoint) int { return cmpString(a.IfName, b.IfName) })
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
