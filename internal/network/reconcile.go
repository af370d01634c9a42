package network

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/berthproject/berth/internal/network/link"
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
