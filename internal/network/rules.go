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
		rs.Forwards = append(rs.Forwards, m.forwards(e)...)
	}
	// Detached endpoints keep their ports until the retirer deletes them
	// (then they are in deleting, and this rewrite deletes them itself).
	for _, r := range m.retiring.queued {
		rs.Forwards = append(rs.Forwards, m.forwards(&r.ep)...)
	}
	return nft.Apply(m.cfg.Table, rs)
}

// forwards are e's published ports as rules; none on internal networks,
// as Docker publishes nothing there (mu held).
func (m *Manager) forwards(e *Endpoint) []nft.Forward {
	if n := m.nets[e.NetworkID]; n == nil || n.Internal {
		return nil
	}
	return forwards(e)
}

func forwards(e *Endpoint) []nft.Forward {
	var out []nft.Forward
	for _, p := range e.Ports {
		out = append(out, nft.Forward{Proto: p.Proto, HostIP: p.HostIP, HostPort: p.HostPort,
			ContainerIP: e.IP(), ContainerPort: p.ContainerPort})
	}
	return out
}
