package cgroups

import (
	"errors"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/google/go-cmp/cmp"
	cg "github.com/opencontainers/cgroups"
	devconfig "github.com/opencontainers/cgroups/devices/config"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func ptr[T any](v T) *T { return &v }

func TestToResourcesConvertsEveryGroup(t *testing.T) {
	hugePageSizes = func() []string { return []string{"2MB", "1GB"} }
	t.Cleanup(func() { hugePageSizes = cg.HugePageSizes })

	in := &specs.LinuxResources{
		Devices: []specs.LinuxDeviceCgroup{
			{Allow: false, Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr(int64(10)), Minor: ptr(int64(200)), Access: "rw"},
			{Allow: true, Type: "b", Major: ptr(int64(8)), Access: "r"},
		},
		Memory: &specs.LinuxMemory{Limit: ptr(int64(64 << 20)), Reservation: ptr(int64(32 << 20)), Swap: ptr(int64(128 << 20)),
			Swappiness: ptr(uint64(10)), DisableOOMKiller: ptr(true)},
		CPU: &specs.LinuxCPU{Shares: ptr(uint64(512)), Quota: ptr(int64(50000)), Period: ptr(uint64(100000)),
			Cpus: "0-1", Mems: "0", Burst: ptr(uint64(1000)), Idle: ptr(int64(1))},
		Pids: &specs.LinuxPids{Limit: ptr(int64(100))},
		BlockIO: &specs.LinuxBlockIO{Weight: ptr(uint16(300)),
			WeightDevice:          []specs.LinuxWeightDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Weight: ptr(uint16(500))}},
			ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 1 << 20}}},
		HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}},
		Network:        &specs.LinuxNetwork{ClassID: ptr(uint32(7)), Priorities: []specs.LinuxInterfacePriority{{Name: "eth0", Priority: 3}}},
		Unified:        map[string]string{"memory.high": "50000000"},
	}
	got, err := toResources(in)
	if err != nil {
		t.Fatal(err)
	}
	want := &cg.Resources{
		Memory: 64 << 20, MemoryReservation: 32 << 20, MemorySwap: 128 << 20, MemorySwappiness: ptr(uint64(10)), OomKillDisable: true,
		CpuShares: 512, CpuQuota: 50000, CpuPeriod: 100000, CpusetCpus: "0-1", CpusetMems: "0", CpuBurst: ptr(uint64(1000)), CPUIdle: ptr(int64(1)),
		PidsLimit:                  ptr(int64(100)),
		BlkioWeight:                300,
		BlkioWeightDevice:          []*cg.WeightDevice{cg.NewWeightDevice(8, 0, 500, 0)},
		BlkioThrottleReadBpsDevice: []*cg.ThrottleDevice{cg.NewThrottleDevice(8, 0, 1<<20)},
		HugetlbLimit:               []*cg.HugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}},
		NetClsClassid:              7,
		NetPrioIfpriomap:           []*cg.IfPrioMap{{Interface: "eth0", Priority: 3}},
		Unified:                    map[string]string{"memory.high": "50000000"},
	}
	want.Devices = []*devconfig.Rule{
		{Type: 'a', Major: -1, Minor: -1, Permissions: "rwm", Allow: false},
		{Type: 'c', Major: 10, Minor: 200, Permissions: "rw", Allow: true},
		{Type: 'b', Major: 8, Minor: -1, Permissions: "r", Allow: true},
	}
	for _, r := range defaultDeviceRules {
		want.Devices = append(want.Devices, &r)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("toResources (-want +got):\n%s", diff)
	}
}

func TestToResourcesNilGivesDefaultDevicesOnly(t *testing.T) {
	got, err := toResources(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Devices) != len(defaultDeviceRules) || got.Memory != 0 || got.PidsLimit != nil {
		t.Errorf("toResources(nil) = %+v, want only the %d default device rules", got, len(defaultDeviceRules))
	}
}

func TestToResourcesRejectsBadInput(t *testing.T) {
	hugePageSizes = func() []string { return []string{"2MB"} }
	t.Cleanup(func() { hugePageSizes = cg.HugePageSizes })
	for name, r := range map[string]*specs.LinuxResources{
		"device type":       {Devices: []specs.LinuxDeviceCgroup{{Allow: true, Type: "x", Access: "rwm"}}},
		"device access":     {Devices: []specs.LinuxDeviceCgroup{{Allow: true, Type: "c", Access: "rwx"}}},
		"device major":      {Devices: []specs.LinuxDeviceCgroup{{Allow: true, Type: "c", Major: ptr(int64(-5)), Access: "r"}}},
		"memory limit":      {Memory: &specs.LinuxMemory{Limit: ptr(int64(-2))}},
		"swap below memory": {Memory: &specs.LinuxMemory{Limit: ptr(int64(64 << 20)), Swap: ptr(int64(32 << 20))}},
		"swappiness":        {Memory: &specs.LinuxMemory{Swappiness: ptr(uint64(101))}},
		"cpu quota":         {CPU: &specs.LinuxCPU{Quota: ptr(int64(0))}},
		"hugepage size":     {HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "3MB", Limit: 1}}},
		"unified key":       {Unified: map[string]string{"../memory.max": "1"}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := toResources(r); !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("toResources: err = %v, want InvalidArgument", err)
			}
		})
	}
}

func TestDeviceRulesFor(t *testing.T) {
	got := DeviceRulesFor([]specs.LinuxDevice{
		{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229},
		{Path: "/dev/sda", Type: "b", Major: 8, Minor: 0},
		{Path: "/dev/fifo", Type: "p"},
	})
	want := []specs.LinuxDeviceCgroup{
		{Allow: true, Type: "c", Major: ptr(int64(10)), Minor: ptr(int64(229)), Access: "rwm"},
		{Allow: true, Type: "b", Major: ptr(int64(8)), Minor: ptr(int64(0)), Access: "rwm"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DeviceRulesFor (-want +got):\n%s", diff)
	}
}

func TestMergeKeepsWhatAnUpdateLeavesOut(t *testing.T) {
	cur := &cg.Resources{Memory: 64 << 20, CpuQuota: 50000, PidsLimit: ptr(int64(10)),
		Devices: []*devconfig.Rule{{Type: 'a', Permissions: "rwm"}}, Freezer: cg.Frozen}
	next, err := toResources(&specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr(int64(128 << 20))}})
	if err != nil {
		t.Fatal(err)
	}
	got := merge(cur, next, false)
	if got.Memory != 128<<20 || got.CpuQuota != 50000 || *got.PidsLimit != 10 || len(got.Devices) != 1 || got.Freezer != cg.Frozen {
		t.Errorf("merge = %+v: want memory updated and everything else kept", got)
	}
	if cur.Memory != 64<<20 {
		t.Errorf("merge modified its input")
	}
}

func TestValidatePath(t *testing.T) {
	for _, p := range []string{"/berth/abc", "berth/abc", "/a.b/c..d"} {
		if err := validatePath(p); err != nil {
			t.Errorf("validatePath(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range []string{"", "/", "../escape", "/a/../b", "/a//b", "system.slice:berth:abc"} {
		if err := validatePath(p); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("validatePath(%q) = %v, want InvalidArgument", p, err)
		}
	}
}
