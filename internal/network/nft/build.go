package nft

import (
	"fmt"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

func build(c *nftables.Conn, t *nftables.Table, rs Ruleset) error {
	policy := nftables.ChainPolicyAccept
	base := func(name string, typ nftables.ChainType, hook *nftables.ChainHook, prio *nftables.ChainPriority) *nftables.Chain {
		return c.AddChain(&nftables.Chain{Name: name, Table: t, Type: typ, Hooknum: hook, Priority: prio, Policy: &policy})
	}
	pre := base("prerouting", nftables.ChainTypeNAT, nftables.ChainHookPrerouting, nftables.ChainPriorityNATDest)
	out := base("output", nftables.ChainTypeNAT, nftables.ChainHookOutput, nftables.ChainPriorityNATDest)
	post := base("postrouting", nftables.ChainTypeNAT, nftables.ChainHookPostrouting, nftables.ChainPriorityNATSource)
	fwd := base("forward", nftables.ChainTypeFilter, nftables.ChainHookForward, nftables.ChainPriorityFilter)
	ports := c.AddChain(&nftables.Chain{Name: "ports", Table: t})

	set := &nftables.Set{Table: t, Name: "bridges", KeyType: nftables.TypeIFName}
	var elems []nftables.SetElement
	for _, b := range rs.Bridges {
		elems = append(elems, nftables.SetElement{Key: ifname(b.Name)})
	}
	if err := c.AddSet(set, elems); err != nil {
		return fmt.Errorf("set bridges: %w", err)
	}

	add := func(ch *nftables.Chain, exprs ...[]expr.Any) {
		var all []expr.Any
		for _, e := range exprs {
			all = append(all, e...)
		}
		c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: all})
	}

	// Only traffic for the host's own addresses (127.0.0.1 included) is
	// published; traffic routed through the host is left alone.
	add(pre, daddrLocal(), jump(ports.Name))
	add(out, daddrLocal(), jump(ports.Name))
	for _, f := range rs.Forwards {
		var m []expr.Any
		if f.HostIP.IsValid() && !f.HostIP.IsUnspecified() {
			m = ipMatch(16, f.HostIP)
		}
		add(ports, m, l4(f.Proto), dport(f.HostPort), dnat(f.ContainerIP, f.ContainerPort))
	}

	for _, b := range rs.Bridges {
		if b.Internal {
			// No way out and no way in from other interfaces, published
			// ports included: the rules come before the DNAT accept.
			add(fwd, ifMatch(true, b.Name, true), ifMatch(false, b.Name, false), drop())
			add(fwd, ifMatch(false, b.Name, true), ifMatch(true, b.Name, false), drop())
			continue
		}
		// Outbound NAT, for traffic leaving by any other interface.
		add(post, prefixMatch(12, b.Subnet), ifMatch(false, b.Name, false), masq())
		// 127.0.0.1:port DNATed to a container keeps its loopback source
		// unless rewritten; the bridge's route_localnet lets it be routed.
		add(post, ifMatch(false, b.Name, true), prefixMatch(12, loopback), masq())
		// Hairpin: a container reaching a published port through a host
		// address must see the reply come back through the host.
		add(post, ifMatch(false, b.Name, true), prefixMatch(12, b.Subnet), ctDNAT(), masq())
	}
	// Published ports are reachable from every network.
	add(fwd, ctDNAT(), accept())
	// Isolation: no forwarding from one berth bridge to another.
	for _, b := range rs.Bridges {
		if !b.Internal {
			add(fwd, ifMatch(true, b.Name, true), ifMatch(false, b.Name, false), oifInSet(set), drop())
		}
	}
	return nil
}
