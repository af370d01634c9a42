package nft

import (
	"fmt"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

// The table has three parts that change at different rates:
//
//   - the skeleton: base chains, which only jump to regular chains, the
//     port maps and the two rules that read them. Made once: registering
//     or removing a hook costs the kernel an RCU grace period.
//   - the structure: the masquerade and filter chains, rewritten when a
//     network comes or goes.
//   - the published ports: elements of the two DNAT maps, added and
//     deleted one by one, so that starting a container never rewrites a rule.
const (
	chainPorts      = "ports"      // DNAT through the port maps
	chainMasquerade = "masquerade" // from postrouting
	chainFilter     = "filter"     // from forward
	mapPortsAny     = "ports_any"  // l4proto . port : addr . port (every host address)
	mapPortsIP      = "ports_ip"   // daddr . l4proto . port : addr . port (one host address)
)

var (
	keyAny  = nftables.MustConcatSetType(nftables.TypeInetProto, nftables.TypeInetService)
	keyIP   = nftables.MustConcatSetType(nftables.TypeIPAddr, nftables.TypeInetProto, nftables.TypeInetService)
	dataDst = nftables.MustConcatSetType(nftables.TypeIPAddr, nftables.TypeInetService)
)

type skeleton struct {
	masquerade, filter *nftables.Chain
	portsAny, portsIP  *nftables.Set
}

func names(t *nftables.Table) skeleton {
	return skeleton{
		masquerade: &nftables.Chain{Name: chainMasquerade, Table: t},
		filter:     &nftables.Chain{Name: chainFilter, Table: t},
		portsAny:   &nftables.Set{Table: t, Name: mapPortsAny, IsMap: true, Concatenation: true, KeyType: keyAny, DataType: dataDst},
		portsIP:    &nftables.Set{Table: t, Name: mapPortsIP, IsMap: true, Concatenation: true, KeyType: keyIP, DataType: dataDst},
	}
}

// buildSkeleton adds the sets, maps, chains and the fixed rules.
func buildSkeleton(c *nftables.Conn, t *nftables.Table) (skeleton, error) {
	s := names(t)
	for _, set := range []*nftables.Set{s.portsAny, s.portsIP} {
		if err := c.AddSet(set, nil); err != nil {
			return s, fmt.Errorf("set %s: %w", set.Name, err)
		}
	}
	ports := c.AddChain(&nftables.Chain{Name: chainPorts, Table: t})
	s.masquerade = c.AddChain(s.masquerade)
	s.filter = c.AddChain(s.filter)
	policy := nftables.ChainPolicyAccept
	base := func(name string, typ nftables.ChainType, hook *nftables.ChainHook, prio *nftables.ChainPriority) *nftables.Chain {
		return c.AddChain(&nftables.Chain{Name: name, Table: t, Type: typ, Hooknum: hook, Priority: prio, Policy: &policy})
	}
	pre := base("prerouting", nftables.ChainTypeNAT, nftables.ChainHookPrerouting, nftables.ChainPriorityNATDest)
	out := base("output", nftables.ChainTypeNAT, nftables.ChainHookOutput, nftables.ChainPriorityNATDest)
	post := base("postrouting", nftables.ChainTypeNAT, nftables.ChainHookPostrouting, nftables.ChainPriorityNATSource)
	fwd := base("forward", nftables.ChainTypeFilter, nftables.ChainHookForward, nftables.ChainPriorityFilter)
	// Only traffic for the host's own addresses (127.0.0.1 included) is
	// published; traffic routed through the host is left alone.
	addRule(c, pre, daddrLocal(), jump(chainPorts))
	addRule(c, out, daddrLocal(), jump(chainPorts))
	addRule(c, post, jump(chainMasquerade))
	addRule(c, fwd, jump(chainFilter))
	// A port bound to one host address first, then those on every address.
	addRule(c, ports, dnatMap(s.portsIP, true))
	addRule(c, ports, dnatMap(s.portsAny, false))
	return s, nil
}

func addRule(c *nftables.Conn, ch *nftables.Chain, exprs ...[]expr.Any) {
	var all []expr.Any
	for _, e := range exprs {
		all = append(all, e...)
	}
	c.AddRule(&nftables.Rule{Table: ch.Table, Chain: ch, Exprs: all})
}

// fillStructure adds the network rules to the (empty) chains.
func fillStructure(c *nftables.Conn, s skeleton, bridges []Bridge) {
	for _, b := range bridges {
		if b.Internal {
			// No way out and no way in from other interfaces, published
			// ports included: these come before the DNAT accept.
			addRule(c, s.filter, ifMatch(true, b.Name, true), ifMatch(false, b.Name, false), drop())
			addRule(c, s.filter, ifMatch(false, b.Name, true), ifMatch(true, b.Name, false), drop())
			continue
		}
		// Outbound NAT, for traffic leaving by any other interface.
		addRule(c, s.masquerade, prefixMatch(12, b.Subnet), ifMatch(false, b.Name, false), masq())
		// 127.0.0.1:port DNATed to a container keeps its loopback source
		// unless rewritten; the bridge's route_localnet lets it be routed.
		addRule(c, s.masquerade, ifMatch(false, b.Name, true), prefixMatch(12, loopback), masq())
		// Hairpin: a container reaching a published port through a host
		// address must see the reply come back through the host.
		addRule(c, s.masquerade, ifMatch(false, b.Name, true), prefixMatch(12, b.Subnet), ctDNAT(), masq())
	}
	// Replies to connections made from inside, and published ports, from
	// anywhere (other networks included).
	addRule(c, s.filter, ctEstablished(), accept())
	addRule(c, s.filter, ctDNAT(), accept())
	// Nothing else enters a bridge from another interface: this isolates
	// networks from each other, and keeps the host's neighbours from
	// routing straight to container addresses (Docker 28 does the same).
	for _, b := range bridges {
		if !b.Internal {
			addRule(c, s.filter, ifMatch(false, b.Name, true), ifMatch(true, b.Name, false), drop())
		}
	}
}
