// Package nft writes berth's packet filtering and NAT rules: one nftables
// table of berth's own (`table ip berth` by default), never touching any
// other table.
//
// The table is declarative: Apply takes the whole wanted state (every bridge
// network and every published port) and replaces the table in one atomic
// netlink batch, so a crash can never leave half a rule set and a restart
// removes stale rules simply by applying the live state. An empty state
// deletes the table.
//
// Layout (see docs/networking.md):
//
//	set bridges      names of every berth bridge (isolation)
//	chain prerouting nat/dstnat:  fib daddr type local → jump ports
//	chain output     nat/dstnat:  fib daddr type local → jump ports
//	chain ports      one DNAT rule per published port
//	chain postrouting nat/srcnat: masquerade outbound, loopback and hairpin
//	chain forward    filter: internal networks, published ports, isolation
package nft

import (
	"errors"
	"fmt"
	"net/netip"
	"os"

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

// Apply replaces table (family ip) with the rules for rs, atomically; an
// empty rs deletes the table.
func Apply(table string, rs Ruleset) error {
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	t := &nftables.Table{Family: nftables.TableFamilyIPv4, Name: table}
	if len(rs.Bridges) == 0 {
		return deleteTable(c, t)
	}
	// add + delete + add in one batch: the table is replaced atomically
	// whether or not it existed.
	c.AddTable(t)
	c.DelTable(t)
	c.AddTable(t)
	if err := build(c, t, rs); err != nil {
		return fmt.Errorf("nftables table %s: %w", table, err)
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables table %s: apply: %w", table, err)
	}
	return nil
}

func deleteTable(c *nftables.Conn, t *nftables.Table) error {
	tables, err := c.ListTablesOfFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return fmt.Errorf("nftables: list tables: %w", err)
	}
	for _, have := range tables {
		if have.Name == t.Name {
			c.DelTable(t)
			if err := c.Flush(); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("nftables: delete table %s: %w", t.Name, err)
			}
			return nil
		}
	}
	return nil
}
