package container

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/runtime/cgroups"
	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
	cg "github.com/opencontainers/cgroups"
)

// Stats samples a running container's cgroup counters in Docker's shape;
// PreCPUStats is left for the caller (the API keeps the previous sample).
func (s *Service) Stats(ctx context.Context, ref string) (containertypes.StatsResponse, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return containertypes.StatsResponse{}, err
	}
	c := s.record(e)
	resp := containertypes.StatsResponse{ID: c.ID, Name: "/" + c.Name, OSType: "linux", Read: time.Now().UTC()}
	if !c.State.running() || c.State.Pid == 0 {
		return resp, nil
	}
	m, err := cgroups.New(cgroupsPath(c.ID), nil)
	if err != nil {
		return resp, err
	}
	st, err := m.Stats()
	if err != nil {
		return resp, errdefs.ErrConflict.WithMessage(fmt.Sprintf("container %s: %v", c.ID[:12], err))
	}
	fillStats(&resp, st)
	// An unlimited memory cgroup reports a huge number: Docker shows the
	// host's memory then.
	if host := hostMemory(); resp.MemoryStats.Limit == 0 || resp.MemoryStats.Limit > host {
		resp.MemoryStats.Limit = host
	}
	return resp, nil
}

// cgroupsPath is a container's cgroup, as its spec gives it to the runtime.
func cgroupsPath(id string) string { return "/berth/" + id }

// fillStats maps the cgroup library's counters (v1, hybrid or v2 alike)
// to Docker's stats, as Docker maps them.
func fillStats(resp *containertypes.StatsResponse, st *cg.Stats) {
	cpu := st.CpuStats
	resp.CPUStats = containertypes.CPUStats{
		OnlineCPUs: uint32(runtime.NumCPU()), SystemUsage: systemCPUUsage(),
		CPUUsage: containertypes.CPUUsage{
			TotalUsage: cpu.CpuUsage.TotalUsage, PercpuUsage: cpu.CpuUsage.PercpuUsage,
			UsageInKernelmode: cpu.CpuUsage.UsageInKernelmode, UsageInUsermode: cpu.CpuUsage.UsageInUsermode,
		},
		ThrottlingData: containertypes.ThrottlingData{
			Periods: cpu.ThrottlingData.Periods, ThrottledPeriods: cpu.ThrottlingData.ThrottledPeriods, ThrottledTime: cpu.ThrottlingData.ThrottledTime,
		},
	}
	mem := st.MemoryStats
	resp.MemoryStats = containertypes.MemoryStats{
		Usage: mem.Usage.Usage, MaxUsage: mem.Usage.MaxUsage, Failcnt: mem.Usage.Failcnt, Limit: mem.Usage.Limit, Stats: mem.Stats,
	}
	resp.PidsStats = containertypes.PidsStats{Current: st.PidsStats.Current, Limit: st.PidsStats.Limit}
	b := st.BlkioStats
	resp.BlkioStats = containertypes.BlkioStats{
		IoServiceBytesRecursive: blkio(b.IoServiceBytesRecursive), IoServicedRecursive: blkio(b.IoServicedRecursive),
		IoQueuedRecursive: blkio(b.IoQueuedRecursive), IoServiceTimeRecursive: blkio(b.IoServiceTimeRecursive),
		IoWaitTimeRecursive: blkio(b.IoWaitTimeRecursive), IoMergedRecursive: blkio(b.IoMergedRecursive),
		IoTimeRecursive: blkio(b.IoTimeRecursive), SectorsRecursive: blkio(b.SectorsRecursive),
	}
}

func blkio(in []cg.BlkioStatEntry) []containertypes.BlkioStatEntry {
	if len(in) == 0 {
		return nil
	}
	out := make([]containertypes.BlkioStatEntry, len(in))
	for i, e := range in {
		out[i] = containertypes.BlkioStatEntry{Major: e.Major, Minor: e.Minor, Op: e.Op, Value: e.Value}
	}
	return out
}

func systemCPUUsage() uint64 {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 1 && fields[0] == "cpu" {
			var ticks uint64
			for _, v := range fields[1:] {
				n, _ := strconv.ParseUint(v, 10, 64)
				ticks += n
			}
			return ticks * (1e9 / 100) // USER_HZ is 100 on Linux
		}
	}
	return 0
}

func hostMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n * 1024
		}
	}
	return 0
}
