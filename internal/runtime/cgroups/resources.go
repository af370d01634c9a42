package cgroups

import (
	"fmt"
	"slices"

	"github.com/containerd/errdefs"
	cg "github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// toResources converts the spec's resources to the cgroups library's model.
// It validates what the library would otherwise pass to the kernel as an
// opaque write error, so that bad input fails before any cgroup exists.
// A nil r yields empty resources (only the default device rules).
func toResources(r *specs.LinuxResources) (*cg.Resources, error) {
	out := &cg.Resources{}
	if r == nil {
		r = &specs.LinuxResources{}
	}
	devs, err := toDeviceRules(r.Devices)
	if err != nil {
		return nil, err
	}
	out.Devices = devs
	if err := convertMemory(r.Memory, out); err != nil {
		return nil, err
	}
	if err := convertCPU(r.CPU, out); err != nil {
		return nil, err
	}
	if r.Pids != nil {
		out.PidsLimit = copyPtr(r.Pids.Limit)
	}
	convertBlockIO(r.BlockIO, out)
	if err := convertHugepages(r.HugepageLimits, out); err != nil {
		return nil, err
	}
	if n := r.Network; n != nil {
		if n.ClassID != nil {
			out.NetClsClassid = *n.ClassID
		}
		for _, p := range n.Priorities {
			out.NetPrioIfpriomap = append(out.NetPrioIfpriomap, &cg.IfPrioMap{Interface: p.Name, Priority: int64(p.Priority)})
		}
	}
	if len(r.Rdma) > 0 {
		out.Rdma = make(map[string]cg.LinuxRdma, len(r.Rdma))
		for dev, l := range r.Rdma {
			out.Rdma[dev] = cg.LinuxRdma{HcaHandles: copyPtr(l.HcaHandles), HcaObjects: copyPtr(l.HcaObjects)}
		}
	}
	if len(r.Unified) > 0 {
		out.Unified = make(map[string]string, len(r.Unified))
		for k, v := range r.Unified {
			if k == "" || containsSlash(k) {
				return nil, fmt.Errorf("unified resource %q: must be a cgroup file name: %w", k, errdefs.ErrInvalidArgument)
			}
			out.Unified[k] = v
		}
	}
	return out, nil
}

func convertMemory(m *specs.LinuxMemory, out *cg.Resources) error {
	if m == nil {
		return nil
	}
	for name, v := range map[string]*int64{"limit": m.Limit, "reservation": m.Reservation, "swap": m.Swap} {
		if v != nil && *v < -1 {
			return fmt.Errorf("memory %s %d: must be -1 (unlimited) or positive: %w", name, *v, errdefs.ErrInvalidArgument)
		}
	}
	if m.Limit != nil {
		out.Memory = *m.Limit
	}
	if m.Reservation != nil {
		out.MemoryReservation = *m.Reservation
	}
	if m.Swap != nil {
		out.MemorySwap = *m.Swap
	}
	// The spec's swap is memory+swap (v1 memsw semantics), so it cannot be
	// below the memory limit; the kernel would reject it with a bare EINVAL.
	if out.Memory > 0 && out.MemorySwap > 0 && out.MemorySwap < out.Memory {
		return fmt.Errorf("memory swap %d (memory+swap) is below memory limit %d: %w", out.MemorySwap, out.Memory, errdefs.ErrInvalidArgument)
	}
	if m.Swappiness != nil {
		// -1 (as uint64) means "inherit"; anything else must be a percentage.
		if s := *m.Swappiness; s > 100 && int64(s) != -1 {
			return fmt.Errorf("memory swappiness %d: must be 0-100: %w", s, errdefs.ErrInvalidArgument)
		}
		out.MemorySwappiness = copyPtr(m.Swappiness)
	}
	if m.DisableOOMKiller != nil {
		out.OomKillDisable = *m.DisableOOMKiller
	}
	if m.CheckBeforeUpdate != nil {
		out.MemoryCheckBeforeUpdate = *m.CheckBeforeUpdate
	}
	// Kernel, KernelTCP and UseHierarchy are deprecated and ignored, as runc does.
	return nil
}

func convertCPU(c *specs.LinuxCPU, out *cg.Resources) error {
	if c == nil {
		return nil
	}
	if c.Shares != nil {
		out.CpuShares = *c.Shares
	}
	if c.Quota != nil {
		if q := *c.Quota; q < -1 || q == 0 {
			return fmt.Errorf("cpu quota %d: must be -1 (unlimited) or positive: %w", q, errdefs.ErrInvalidArgument)
		}
		out.CpuQuota = *c.Quota
	}
	if c.Period != nil {
		out.CpuPeriod = *c.Period
	}
	out.CpuBurst = copyPtr(c.Burst)
	if c.RealtimeRuntime != nil {
		out.CpuRtRuntime = *c.RealtimeRuntime
	}
	if c.RealtimePeriod != nil {
		out.CpuRtPeriod = *c.RealtimePeriod
	}
	out.CpusetCpus = c.Cpus
	out.CpusetMems = c.Mems
	out.CPUIdle = copyPtr(c.Idle)
	return nil
}

func convertBlockIO(b *specs.LinuxBlockIO, out *cg.Resources) {
	if b == nil {
		return
	}
	if b.Weight != nil {
		out.BlkioWeight = *b.Weight
	}
	if b.LeafWeight != nil {
		out.BlkioLeafWeight = *b.LeafWeight
	}
	for _, wd := range b.WeightDevice {
		var w, lw uint16
		if wd.Weight != nil {
			w = *wd.Weight
		}
		if wd.LeafWeight != nil {
			lw = *wd.LeafWeight
		}
		out.BlkioWeightDevice = append(out.BlkioWeightDevice, cg.NewWeightDevice(wd.Major, wd.Minor, w, lw))
	}
	throttle := func(in []specs.LinuxThrottleDevice) []*cg.ThrottleDevice {
		var t []*cg.ThrottleDevice
		for _, d := range in {
			t = append(t, cg.NewThrottleDevice(d.Major, d.Minor, d.Rate))
		}
		return t
	}
	out.BlkioThrottleReadBpsDevice = throttle(b.ThrottleReadBpsDevice)
	out.BlkioThrottleWriteBpsDevice = throttle(b.ThrottleWriteBpsDevice)
	out.BlkioThrottleReadIOPSDevice = throttle(b.ThrottleReadIOPSDevice)
	out.BlkioThrottleWriteIOPSDevice = throttle(b.ThrottleWriteIOPSDevice)
}

// hugePageSizes is the host's list ("2MB", "1GB"…); a variable so tests can
// check validation without depending on the host's hugepage support.
var hugePageSizes = cg.HugePageSizes

func convertHugepages(limits []specs.LinuxHugepageLimit, out *cg.Resources) error {
	if len(limits) == 0 {
		return nil
	}
	sizes := hugePageSizes()
	for _, l := range limits {
		if !slices.Contains(sizes, l.Pagesize) {
			return fmt.Errorf("hugepage limit for page size %q: this host supports %v: %w", l.Pagesize, sizes, errdefs.ErrInvalidArgument)
		}
		out.HugetlbLimit = append(out.HugetlbLimit, &cg.HugepageLimit{Pagesize: l.Pagesize, Limit: l.Limit})
	}
	return nil
}

func containsSlash(s string) bool {
	return slices.Contains([]byte(s), '/')
}

func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
