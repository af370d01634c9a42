// Package nft writes berth's packet filtering and NAT rules: one nftables
// table of berth's own (`table ip berth` by default), never touching any
// other table.
//
// The table is declarative: Apply takes the whole wanted state (every bridge
// network and every published port) and rewrites the table's rules in one
// atomic netlink batch, so a crash can never leave half a rule set and a
// restart removes stale rules simply by applying the live state. An empty
// state deletes the table.
//
// Layout (see docs/networking.md):
//
//	map ports_ip      daddr . l4proto . port : container addr . port
//	map ports_any     l4proto . port : container addr . port
//	chain prerouting  nat/dstnat:  fib daddr type local jump ports
//	chain output      nat/dstnat:  fib daddr type local jump ports
//	chain postrouting nat/srcnat:  jump masquerade
//	chain forward     filter:      jump filter
//	chain ports       dnat through ports_ip, then ports_any
//	chain masquerade  outbound, loopback and hairpin source NAT
//	chain filter      internal networks, replies, published ports, isolation
package nft

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/google/nftables"
)

// Bridge is one bridge network.
type Bridge struct {
	Name     string
	Subnet   netip.Prefix
	Internal bool
}

// Forward publishes ContainerIP:ContainerPort (behind bridge Bridge) on
// HostIP:HostPort; an invalid or unspecified HostIP means every host address.
type Forward struct {
	Proto         string // "tcp" or "udp"
	HostIP        netip.Addr
	HostPort      uint16
	ContainerIP   netip.Addr
	ContainerPort uint16
}

// Ruleset is the whole state of berth's table.
type Ruleset struct {
	Bridges  []Bridge
	Forwards []Forward
}

// structures remembers, per table, the bridges last written by this
// process, so that a change of published ports alone leaves the rules be.
var (
	structMu   sync.Mutex
	structures = map[string]string{}
)

// Apply makes table (family ip) hold the rules for rs, in one atomic
// batch; an empty rs deletes the table.
func Apply(table string, rs Ruleset) error {
	structMu.Lock()
	defer structMu.Unlock()
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	t := &nftables.Table{Family: nftables.TableFamilyIPv4, Name: table}
	exists, complete, err := state(c, t)
	if err != nil {
		return err
	}
	// Forgotten until this Apply succeeds: a failed batch may leave either.
	written := structures[table]
	delete(structures, table)
	if len(rs.Bridges) == 0 {
		if !exists {
			return nil
		}
		c.DelTable(t)
		if err := c.Flush(); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("nftables: delete table %s: %w", table, err)
		}
		return nil
	}
	fp := fingerprint(rs.Bridges)
	s := names(t)
	switch {
	case !complete:
		// New, or not in the shape berth makes: rebuilt from scratch.
		if exists {
			c.DelTable(t)
		}
		c.AddTable(t)
		if s, err = buildSkeleton(c, t); err != nil {
			return fmt.Errorf("nftables table %s: %w", table, err)
		}
		fillStructure(c, s, rs.Bridges)
	case written != fp:
		c.FlushChain(s.masquerade)
		c.FlushChain(s.filter)
		fillStructure(c, s, rs.Bridges)
	}
	if err := syncPorts(c, s, rs.Forwards, !complete); err != nil {
		return fmt.Errorf("nftables table %s: %w", table, err)
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables table %s: apply: %w", table, err)
	}
	structures[table] = fp
	return nil
}

func fingerprint(bridges []Bridge) string {
	parts := make([]string, len(bridges))
	for i, b := range bridges {
		parts[i] = fmt.Sprintf("%s %s %t", b.Name, b.Subnet, b.Internal)
	}
	slices.Sort(parts)
	return strings.Join(parts, ";")
}

// state reports whether the table exists and has every chain and map
// berth makes.
func state(c *nftables.Conn, t *nftables.Table) (exists, complete bool, err error) {
	tables, err := c.ListTablesOfFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return false, false, fmt.Errorf("nftables: list tables: %w", err)
	}
	for _, have := range tables {
		exists = exists || have.Name == t.Name
	}
	if !exists {
		return false, false, nil
	}
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return true, false, fmt.Errorf("nftables: list chains: %w", err)
	}
	want := map[string]bool{"prerouting": true, "output": true, "postrouting": true, "forward": true,
		chainPorts: true, chainMasquerade: true, chainFilter: true}
	for _, ch := range chains {
		if ch.Table.Name == t.Name {
			delete(want, ch.Name)
		}
	}
	sets, err := c.GetSets(t)
	if err != nil {
		return true, false, fmt.Errorf("nftables: list sets: %w", err)
	}
	for _, name := range []string{mapPortsAny, mapPortsIP} {
		want[name] = true
	}
	for _, set := range sets {
		delete(want, set.Name)
	}
	return true, len(want) == 0, nil
}
