package e2e

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	containertypes "github.com/moby/moby/api/types/container"
)

// TestGapsStats: docker stats reads the container's cgroup (v1, hybrid or
// v2): memory against its limit, pids, CPU time and, under --cpus, the
// CFS throttling counters.
func TestGapsStats(t *testing.T) {
	needRoot(t)
	d := dockerContainerDaemon(t)
	id := d.mustDocker(t, "run", "-d", "--network", "none", "--memory", "64m", "--cpus", "0.05", "busybox",
		"sh", "-c", "while :; do :; done")
	// Under a 5% quota the runtime's init (a few threads) may still be on
	// its way to exec sh when run -d returns: wait for the single process.
	var out string
	pollUntil(t, "docker stats to show the limit and 1 pid", func() bool {
		out = d.mustDocker(t, "stats", "--no-stream", "--format", "{{.MemUsage}}|{{.PIDs}}", id)
		return strings.HasSuffix(out, " / 64MiB|1")
	})
	sample := func() containertypes.StatsResponse {
		resp, err := apiClient(d).Get("http://berth/containers/" + id + "/stats?stream=false")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var st containertypes.StatsResponse
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatalf("stats: %v: %s", err, b)
		}
		return st
	}
	// A busy loop under a 5% quota is throttled; its CPU time grows.
	var st containertypes.StatsResponse
	pollUntil(t, "CFS throttling in stats", func() bool {
		st = sample()
		return st.CPUStats.ThrottlingData.ThrottledPeriods > 0
	})
	if st.CPUStats.CPUUsage.TotalUsage == 0 || st.CPUStats.SystemUsage == 0 || st.MemoryStats.Usage == 0 || st.PidsStats.Current != 1 {
		t.Fatalf("stats: cpu %+v memory %+v pids %+v", st.CPUStats, st.MemoryStats, st.PidsStats)
	}
	if st.MemoryStats.Limit != 64<<20 || len(st.MemoryStats.Stats) == 0 {
		t.Fatalf("memory stats: limit %d, %d counters; want 64 MiB and the memory.stat counters", st.MemoryStats.Limit, len(st.MemoryStats.Stats))
	}
	d.mustDocker(t, "rm", "-f", id)
}
