package cgroups

import (
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/errdefs"
	cg "github.com/opencontainers/cgroups"
)

// neededControllers lists the controllers whose files res writes, by their
// v1 and v2 names. The library would otherwise fail with a bare
// "no such file" for a limit the host cannot enforce.
func neededControllers(res *cg.Resources, unified bool) []string {
	var need []string
	add := func(cond bool, v1, v2 string) {
		if !cond {
			return
		}
		if unified {
			need = append(need, v2)
		} else {
			need = append(need, v1)
		}
	}
	add(res.Memory != 0 || res.MemoryReservation != 0 || res.MemorySwap != 0 || res.MemorySwappiness != nil || res.OomKillDisable, "memory", "memory")
	add(res.CpuShares != 0 || res.CpuWeight != 0 || res.CpuQuota != 0 || res.CpuPeriod != 0 || res.CpuBurst != nil || res.CPUIdle != nil ||
		res.CpuRtRuntime != 0 || res.CpuRtPeriod != 0, "cpu", "cpu")
	add(res.CpusetCpus != "" || res.CpusetMems != "", "cpuset", "cpuset")
	add(res.PidsLimit != nil, "pids", "pids")
	add(res.BlkioWeight != 0 || res.BlkioLeafWeight != 0 || len(res.BlkioWeightDevice) > 0 || len(res.BlkioThrottleReadBpsDevice) > 0 ||
		len(res.BlkioThrottleWriteBpsDevice) > 0 || len(res.BlkioThrottleReadIOPSDevice) > 0 || len(res.BlkioThrottleWriteIOPSDevice) > 0, "blkio", "io")
	add(len(res.HugetlbLimit) > 0, "hugetlb", "hugetlb")
	add(len(res.Rdma) > 0, "rdma", "rdma")
	if !unified {
		add(res.NetClsClassid != 0, "net_cls", "")
		add(len(res.NetPrioIfpriomap) > 0, "net_prio", "")
	}
	return need
}

// checkControllers fails clearly when res needs a controller that the
// container's cgroup does not have. Called once the cgroup exists.
func (m *Manager) checkControllers(res *cg.Resources) error {
	need := neededControllers(res, m.unified)
	var have []string
	if m.unified {
		s, err := cg.ReadFile(m.mgr.Path(""), "cgroup.controllers")
		if err != nil {
			return fmt.Errorf("cgroup %s: %w", m.path, err)
		}
		have = strings.Fields(s)
	} else {
		for _, c := range need {
			if m.mgr.Path(c) != "" || (c == "hugetlb" && m.hugetlbOnUnified(res)) {
				have = append(have, c)
			}
		}
	}
	for _, c := range need {
		if !slices.Contains(have, c) {
			return fmt.Errorf("cgroup %s: the limits asked for need the %s controller, which this host does not provide to it: %w", m.path, c, errdefs.ErrFailedPrecondition)
		}
	}
	return nil
}
