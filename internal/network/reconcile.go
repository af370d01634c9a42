package network

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/berthproject/berth/internal/network/link"
	"github.com/berthproject/berth/internal/network/nft"
	"github.com/berthproject/berth/internal/network/portspec"
)

// Reconcile brings the endpoints in line with the containers that are
// still running, after a daemon restart: an endpoint whose container is not
// alive (or whose namespace or veth is gone) is removed with its address and
// rules; a live one gets its port reservations and DNS server back. The
// rule set is then re-applied from what is left, which drops stale rules.
func (m *Manager) Reconcile(ctx context.Context, alive func(containerID string) bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for _, e := range m.eps {
		_, nsErr := os.Stat(e.NetNSPath)
		if alive(e.ContainerID) && nsErr == nil && link.Exists(e.HostIfName) {
			continue
		}
		m.log.Info("removing stale endpoint", "container", e.ContainerID, "network", e.NetworkID, "veth", e.HostIfName)
		if err := m.detach(ctx, e); err != nil {
			errs = append(errs, err)
		}
	}
	for _, e := range m.eps {
		for _, p := range e.Ports {
			if m.ports.held[portKey{p.Proto, p.HostIP, p.HostPort}] != nil {
				continue
			}
			if _, err := m.ports.reserve([]portspec.Mapping{p}); err != nil {
				// The DNAT rule still wins over the other program; say so.
				m.log.Warn("published port taken while berth was down", "container", e.ContainerID, "err", err)
			}
		}
		if err := m.startDNS(ctx, e); err != nil {
			errs = append(errs, fmt.Errorf("container %s: %w", e.ContainerID, err))
		}
	}
	errs = append(errs, m.applyRules())
	return errors.Join(errs...)
}

// Teardown removes berth's whole kernel state: every endpoint (detached),
// every bridge, the default one included, and the nftables table. The
// network records stay, so the next New makes the bridges again. For a
// daemon that stops with no container running, and for tests: afterwards
// `ip link` and `nft list ruleset` show nothing of berth.
func (m *Manager) Teardown(ctx context.Context) error {
	m.mu.Lock()
	var errs []error
	for _, e := range m.eps {
		errs = append(errs, m.detach(ctx, e))
	}
	m.mu.Unlock()
	errs = append(errs, m.Settle(ctx))
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, n := range m.nets {
		if n.Driver == "bridge" {
			errs = append(errs, link.DeleteBridge(n.Bridge))
		}
	}
	errs = append(errs, nft.Apply(m.cfg.Table, nft.Ruleset{}))
	return errors.Join(errs...)
}
