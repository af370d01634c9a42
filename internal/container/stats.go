package container

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
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
	cg, err := readCgroups(c.State.Pid)
	if err != nil {
		return resp, errdefs.ErrConflict.WithMessage(fmt.Sprintf("container %s: cgroup: %v", c.ID[:12], err))
	}
	resp.CPUStats = containertypes.CPUStats{OnlineCPUs: uint32(runtime.NumCPU()), SystemUsage: systemCPUUsage()}
	if cg.v2 != "" {
		st := keyValues(filepath.Join(cg.v2, "cpu.stat"))
		resp.CPUStats.CPUUsage.TotalUsage = st["usage_usec"] * 1000
		resp.CPUStats.CPUUsage.UsageInUsermode = st["user_usec"] * 1000
		resp.CPUStats.CPUUsage.UsageInKernelmode = st["system_usec"] * 1000
		resp.MemoryStats.Usage = readUint(filepath.Join(cg.v2, "memory.current"))
		resp.MemoryStats.Limit = readUint(filepath.Join(cg.v2, "memory.max"))
		resp.MemoryStats.Stats = keyValues(filepath.Join(cg.v2, "memory.stat"))
		resp.PidsStats.Current = readUint(filepath.Join(cg.v2, "pids.current"))
		resp.PidsStats.Limit = readUint(filepath.Join(cg.v2, "pids.max"))
	}
	if d := cg.v1["cpuacct"]; d != "" {
		resp.CPUStats.CPUUsage.TotalUsage = readUint(filepath.Join(d, "cpuacct.usage"))
	}
	if d := cg.v1["memory"]; d != "" {
		resp.MemoryStats.Usage = readUint(filepath.Join(d, "memory.usage_in_bytes"))
		resp.MemoryStats.MaxUsage = readUint(filepath.Join(d, "memory.max_usage_in_bytes"))
		resp.MemoryStats.Limit = readUint(filepath.Join(d, "memory.limit_in_bytes"))
		resp.MemoryStats.Failcnt = readUint(filepath.Join(d, "memory.failcnt"))
		resp.MemoryStats.Stats = keyValues(filepath.Join(d, "memory.stat"))
	}
	if d := cg.v1["pids"]; d != "" {
		resp.PidsStats.Current = readUint(filepath.Join(d, "pids.current"))
		resp.PidsStats.Limit = readUint(filepath.Join(d, "pids.max"))
	}
	// An unlimited memory cgroup reports a huge number: Docker shows the
	// host's memory then.
	if host := hostMemory(); resp.MemoryStats.Limit == 0 || resp.MemoryStats.Limit > host {
		resp.MemoryStats.Limit = host
	}
	return resp, nil
}

// cgroupDirs are a process's cgroup directories on the host.
type cgroupDirs struct {
	v1 map[string]string // controller → dir
	v2 string
}

func readCgroups(pid int) (cgroupDirs, error) {
	cg := cgroupDirs{v1: map[string]string{}}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return cg, err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			dir := filepath.Join("/sys/fs/cgroup", parts[2])
			if _, err := os.Stat(filepath.Join(dir, "cgroup.controllers")); err == nil {
				if _, err := os.Stat(filepath.Join(dir, "memory.current")); err == nil || parts[2] != "/" {
					cg.v2 = dir
				}
			}
			continue
		}
		for _, ctrl := range strings.Split(parts[1], ",") {
			cg.v1[ctrl] = filepath.Join("/sys/fs/cgroup", ctrl, parts[2])
		}
	}
	return cg, nil
}

func readUint(p string) uint64 {
	b, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

func keyValues(p string) map[string]uint64 {
	out := map[string]uint64{}
	f, err := os.Open(p)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil {
			out[k] = n
		}
	}
	return out
}

// systemCPUUsage is the host's CPU time in nanoseconds, from /proc/stat.
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
