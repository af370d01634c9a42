package cgroups

import (
	"maps"

	cg "github.com/opencontainers/cgroups"
)

// merge returns cur updated with the fields next sets, the way runc's
// `update` works: an update names only what changes. Device rules are
// replaced only when the update lists some (next always carries the
// defaults, which alone would be a different, stricter allowlist).
func merge(cur, next *cg.Resources, explicitDevices bool) *cg.Resources {
	out := *cur
	if explicitDevices {
		out.Devices = next.Devices
	}
	setIf(&out.Memory, next.Memory)
	setIf(&out.MemoryReservation, next.MemoryReservation)
	setIf(&out.MemorySwap, next.MemorySwap)
	if next.OomKillDisable {
		out.OomKillDisable = true
	}
	if next.MemorySwappiness != nil {
		out.MemorySwappiness = next.MemorySwappiness
	}
	out.MemoryCheckBeforeUpdate = next.MemoryCheckBeforeUpdate
	setIf(&out.CpuShares, next.CpuShares)
	setIf(&out.CpuWeight, next.CpuWeight)
	setIf(&out.CpuQuota, next.CpuQuota)
	setIf(&out.CpuPeriod, next.CpuPeriod)
	if next.CpuBurst != nil {
		out.CpuBurst = next.CpuBurst
	}
	setIf(&out.CpuRtRuntime, next.CpuRtRuntime)
	setIf(&out.CpuRtPeriod, next.CpuRtPeriod)
	setIf(&out.CpusetCpus, next.CpusetCpus)
	setIf(&out.CpusetMems, next.CpusetMems)
	if next.CPUIdle != nil {
		out.CPUIdle = next.CPUIdle
	}
	if next.PidsLimit != nil {
		out.PidsLimit = next.PidsLimit
	}
	setIf(&out.BlkioWeight, next.BlkioWeight)
	setIf(&out.BlkioLeafWeight, next.BlkioLeafWeight)
	setSlice(&out.BlkioWeightDevice, next.BlkioWeightDevice)
	setSlice(&out.BlkioThrottleReadBpsDevice, next.BlkioThrottleReadBpsDevice)
	setSlice(&out.BlkioThrottleWriteBpsDevice, next.BlkioThrottleWriteBpsDevice)
	setSlice(&out.BlkioThrottleReadIOPSDevice, next.BlkioThrottleReadIOPSDevice)
	setSlice(&out.BlkioThrottleWriteIOPSDevice, next.BlkioThrottleWriteIOPSDevice)
	setSlice(&out.HugetlbLimit, next.HugetlbLimit)
	setIf(&out.NetClsClassid, next.NetClsClassid)
	setSlice(&out.NetPrioIfpriomap, next.NetPrioIfpriomap)
	if len(next.Rdma) > 0 {
		out.Rdma = maps.Clone(out.Rdma)
		if out.Rdma == nil {
			out.Rdma = map[string]cg.LinuxRdma{}
		}
		maps.Copy(out.Rdma, next.Rdma)
	}
	if len(next.Unified) > 0 {
		out.Unified = maps.Clone(out.Unified)
		if out.Unified == nil {
			out.Unified = map[string]string{}
		}
		maps.Copy(out.Unified, next.Unified)
	}
	// The freezer state is Freeze/Thaw's business, never an update's.
	out.Freezer = cur.Freezer
	return &out
}

func setIf[T comparable](dst *T, v T) {
	var zero T
	if v != zero {
		*dst = v
	}
}

func setSlice[T any](dst *[]T, v []T) {
	if len(v) > 0 {
		*dst = v
	}
}
