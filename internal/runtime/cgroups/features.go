package cgroups

import (
	"fmt"

	cg "github.com/opencontainers/cgroups"
	"github.com/opencontainers/runtime-spec/specs-go/features"
)

// Features reports the cgroup support compiled in, for `berth-runc
// features`: the fs managers of v1 (and hybrid) and v2; no systemd driver.
func Features() *features.Cgroup {
	yes, no := true, false
	return &features.Cgroup{V1: &yes, V2: &yes, Systemd: &no, SystemdUser: &no, Rdma: &yes}
}

// Stats returns the cgroup's usage counters (memory, CPU, pids, block IO,
// hugetlb), for `stats` and Docker's stats API.
func (m *Manager) Stats() (*cg.Stats, error) {
	st, err := m.mgr.GetStats()
	if err != nil {
		return nil, fmt.Errorf("cgroup %s: stats: %w", m.path, classify(err))
	}
	return st, nil
}
