package network

import (
	"context"
	"net/netip"
	"strings"

	"github.com/berthproject/berth/internal/network/dns"
)

// view is an immutable snapshot of networks and endpoints for the DNS
// servers' lookups.
type view struct {
	nets map[string]Network
	eps  []Endpoint
}

// publish refreshes the snapshot (mu held).
func (m *Manager) publish() {
	v := &view{nets: make(map[string]Network, len(m.nets))}
	for id, n := range m.nets {
		v.nets[id] = *n
	}
	for _, e := range m.eps {
		v.eps = append(v.eps, *e)
	}
	m.view.Store(v)
}

// resolve answers name for container cid: the endpoints, on the user-defined
// networks cid is on, whose container name, alias or short ID is name.
func (m *Manager) resolve(cid, name string) ([]netip.Addr, bool) {
	v := m.view.Load()
	mine := map[string]bool{}
	for _, e := range v.eps {
		if e.ContainerID == cid && !isDefault(v.nets[e.NetworkID]) {
			mine[e.NetworkID] = true
		}
	}
	var ips []netip.Addr
	for _, e := range v.eps {
		if mine[e.NetworkID] && matches(e, name) {
			ips = append(ips, e.IP())
		}
	}
	return ips, len(ips) > 0
}

func isDefault(n Network) bool { return n.Name == DefaultNetwork }

func matches(e Endpoint, name string) bool {
	if strings.EqualFold(strings.TrimPrefix(e.Name, "/"), name) {
		return true
	}
	if len(e.ContainerID) >= 12 && strings.EqualFold(e.ContainerID[:12], name) {
		return true
	}
	for _, a := range e.Aliases {
		if strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}

// dnsUpstreams: the container's --dns servers, else the daemon's; none if
// every user-defined network of cid is internal.
func (m *Manager) dnsUpstreams(cid string) []netip.AddrPort {
	v := m.view.Load()
	var own []netip.AddrPort
	external := false
	for _, e := range v.eps {
		if e.ContainerID != cid {
			continue
		}
		if n := v.nets[e.NetworkID]; !n.Internal {
			external = true
		}
		for _, a := range e.DNS {
			own = append(own, netip.AddrPortFrom(a, 53))
		}
	}
	switch {
	case !external:
		return nil
	case len(own) > 0:
		return own
	}
	return m.upstreams()
}

// startDNS starts the container's server for its first user-defined network.
func (m *Manager) startDNS(ctx context.Context, e *Endpoint) error {
	if m.nets[e.NetworkID].IsDefault() || m.dns[e.ContainerID] != nil {
		return nil
	}
	cid := e.ContainerID
	s, err := dns.Start(ctx, e.NetNSPath, dns.Config{
		Resolve:   func(name string) ([]netip.Addr, bool) { return m.resolve(cid, name) },
		Upstreams: func() []netip.AddrPort { return m.dnsUpstreams(cid) },
		Logger:    m.log,
	})
	if err != nil {
		return err
	}
	m.dns[cid] = s
	return nil
}

// stopDNSIfUnused stops cid's server when no user-defined endpoint is left.
func (m *Manager) stopDNSIfUnused(cid string) {
	s := m.dns[cid]
	if s == nil {
		return
	}
	for _, e := range m.eps {
		if e.ContainerID == cid && !m.nets[e.NetworkID].IsDefault() {
			return
		}
	}
	delete(m.dns, cid)
	_ = s.Close()
}
