package network

import (
	"github.com/berthproject/berth/internal/network/nft"
)

// applyRules writes the rule set for the current state (mu held).
func (m *Manager) applyRules() error {
	var rs nft.Ruleset
	for _, n := range m.nets {
		if n.Driver == "bridge" {
			rs.Bridges = append(rs.Bridges, nft.Bridge{Name: n.Bridge, Subnet: n.Subnet, Internal: n.Internal})
		}
	}
	for _, e := range m.eps {
		n := m.nets[e.NetworkID]
		if n == nil || n.Internal {
			continue // Docker publishes nothing from internal networks
		}
		for _, p := range e.Ports {
			rs.Forwards = append(rs.Forwards, nft.Forward{Proto: p.Proto, HostIP: p.HostIP, HostPort: p.HostPort,
				ContainerIP: e.IP(), ContainerPort: p.ContainerPort})
		}
	}
	return nft.Apply(m.cfg.Table, rs)
}
