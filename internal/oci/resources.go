package oci

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// minMemory is Docker's smallest accepted --memory.
const minMemory = 6 << 20

const cpuPeriod = 100000

func ptr[T any](v T) *T { return &v }

// resources turns the limits of `docker run` into cgroup settings, with
// Docker's checks and its rule that swap defaults to the memory limit.
func resources(r Resources) (*specs.LinuxResources, error) {
	out := &specs.LinuxResources{Devices: defaultDeviceRules()}
	if r.Memory < 0 || r.MemoryReservation < 0 || r.CPUShares < 0 || r.NanoCPUs < 0 {
		return nil, fmt.Errorf("negative resource limit: %w", errdefs.ErrInvalidArgument)
	}
	if r.Memory > 0 && r.Memory < minMemory {
		return nil, fmt.Errorf("minimum memory limit allowed is 6MB: %w", errdefs.ErrInvalidArgument)
	}
	if r.MemorySwap > 0 && r.Memory == 0 {
		return nil, fmt.Errorf("you should always set the memory limit when using the memory+swap limit: %w", errdefs.ErrInvalidArgument)
	}
	if r.MemorySwap > 0 && r.MemorySwap < r.Memory {
		return nil, fmt.Errorf("minimum memory+swap limit should be larger than the memory limit: %w", errdefs.ErrInvalidArgument)
	}
	if r.Memory > 0 && r.MemoryReservation > r.Memory {
		return nil, fmt.Errorf("minimum memory limit can not be less than memory reservation limit: %w", errdefs.ErrInvalidArgument)
	}
	if r.Memory > 0 || r.MemoryReservation > 0 {
		out.Memory = &specs.LinuxMemory{}
		if r.Memory > 0 {
			out.Memory.Limit = ptr(r.Memory)
			switch {
			case r.MemorySwap == 0:
				out.Memory.Swap = ptr(2 * r.Memory)
			default:
				out.Memory.Swap = ptr(r.MemorySwap)
			}
		}
		if r.MemoryReservation > 0 {
			out.Memory.Reservation = ptr(r.MemoryReservation)
		}
	}
	if n := int64(runtime.NumCPU()); r.NanoCPUs > n*1e9 || (r.NanoCPUs > 0 && r.NanoCPUs < 1e7) {
		return nil, fmt.Errorf("range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available: %w", n, n, errdefs.ErrInvalidArgument)
	}
	if r.NanoCPUs > 0 || r.CPUShares > 0 || r.CpusetCpus != "" || r.CpusetMems != "" {
		out.CPU = &specs.LinuxCPU{Cpus: r.CpusetCpus, Mems: r.CpusetMems}
		if r.NanoCPUs > 0 {
			out.CPU.Period = ptr(uint64(cpuPeriod))
			out.CPU.Quota = ptr(r.NanoCPUs * cpuPeriod / 1e9)
		}
		if r.CPUShares > 0 {
			out.CPU.Shares = ptr(uint64(r.CPUShares))
		}
	}
	if r.PidsLimit > 0 {
		out.Pids = &specs.LinuxPids{Limit: ptr(r.PidsLimit)}
	}
	return out, nil
}

// defaultDeviceRules deny every device but those Docker allows: mknod of
// any, and read/write of null, zero, full, random, urandom, tty, console,
// ptmx, the ptys and tun.
func defaultDeviceRules() []specs.LinuxDeviceCgroup {
	dev := func(typ string, major, minor int64, access string) specs.LinuxDeviceCgroup {
		d := specs.LinuxDeviceCgroup{Allow: true, Type: typ, Access: access}
		if major >= 0 {
			d.Major = ptr(major)
		}
		if minor >= 0 {
			d.Minor = ptr(minor)
		}
		return d
	}
	return []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		dev("c", -1, -1, "m"), dev("b", -1, -1, "m"),
		dev("c", 1, 3, "rwm"), dev("c", 1, 8, "rwm"), dev("c", 1, 7, "rwm"),
		dev("c", 5, 0, "rwm"), dev("c", 1, 5, "rwm"), dev("c", 1, 9, "rwm"),
		dev("c", 136, -1, "rwm"), dev("c", 5, 2, "rwm"), dev("c", 10, 200, "rwm"),
		dev("c", 5, 1, "rwm"),
	}
}

var rlimits = map[string]string{
	"core": "RLIMIT_CORE", "cpu": "RLIMIT_CPU", "data": "RLIMIT_DATA", "fsize": "RLIMIT_FSIZE",
	"locks": "RLIMIT_LOCKS", "memlock": "RLIMIT_MEMLOCK", "msgqueue": "RLIMIT_MSGQUEUE",
	"nice": "RLIMIT_NICE", "nofile": "RLIMIT_NOFILE", "nproc": "RLIMIT_NPROC", "rss": "RLIMIT_RSS",
	"rtprio": "RLIMIT_RTPRIO", "rttime": "RLIMIT_RTTIME", "sigpending": "RLIMIT_SIGPENDING",
	"stack": "RLIMIT_STACK", "as": "RLIMIT_AS",
}

func processRlimits(us []Ulimit) ([]specs.POSIXRlimit, error) {
	var out []specs.POSIXRlimit
	for _, u := range us {
		typ, ok := rlimits[strings.ToLower(u.Name)]
		if !ok {
			return nil, fmt.Errorf("invalid ulimit type %q: %w", u.Name, errdefs.ErrInvalidArgument)
		}
		if u.Soft > u.Hard || u.Soft < 0 {
			return nil, fmt.Errorf("ulimit %s: soft limit %d is not within 0 and the hard limit %d: %w", u.Name, u.Soft, u.Hard, errdefs.ErrInvalidArgument)
		}
		out = append(out, specs.POSIXRlimit{Type: typ, Soft: uint64(u.Soft), Hard: uint64(u.Hard)})
	}
	return out, nil
}

// Namespaced sysctls a container may set, as Docker allows them.
var ipcSysctls = []string{"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"}

func checkSysctls(o Options) error {
	for k := range o.Sysctls {
		switch {
		case slices.Contains(ipcSysctls, k) || strings.HasPrefix(k, "fs.mqueue."):
			if o.IPC.Host {
				return fmt.Errorf("sysctl %q is not allowed with the host IPC namespace: %w", k, errdefs.ErrInvalidArgument)
			}
		case strings.HasPrefix(k, "net."):
			if o.Network.Host {
				return fmt.Errorf("sysctl %q is not allowed with the host network namespace: %w", k, errdefs.ErrInvalidArgument)
			}
		case k == "kernel.domainname" || k == "kernel.hostname":
			if o.UTS.Host {
				return fmt.Errorf("sysctl %q is not allowed with the host UTS namespace: %w", k, errdefs.ErrInvalidArgument)
			}
		default:
			return fmt.Errorf("sysctl %q is not a namespaced sysctl a container may set: %w", k, errdefs.ErrInvalidArgument)
		}
	}
	return nil
}
