package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
)

// statsRow is one line of `stats`, with Docker's field names (what
// `--format json` prints).
type statsRow struct {
	BlockIO   string
	CPUPerc   string
	Container string
	ID        string
	MemPerc   string
	MemUsage  string
	Name      string
	NetIO     string
	PIDs      string
}

var statsHeaders = map[string]string{
	"BlockIO": "BLOCK I/O", "CPUPerc": "CPU %", "Container": "CONTAINER", "ID": "CONTAINER ID", "MemPerc": "MEM %",
	"MemUsage": "MEM USAGE / LIMIT", "Name": "NAME", "NetIO": "NET I/O", "PIDs": "PIDS",
}

const statsDefaultTable = "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

// newStatsRow computes Docker's figures from one stats sample: CPU % from
// the deltas against the previous sample, memory without the inactive
// page cache, network and block I/O summed over interfaces and devices.
// container is the name or ID the user asked for.
func newStatsRow(asked string, s container.StatsResponse) statsRow {
	r := statsRow{Container: asked, ID: shortContainerID(s.ID), Name: strings.TrimPrefix(s.Name, "/")}
	cpu := 0.0
	cpuDelta := float64(s.CPUStats.CPUUsage.TotalUsage) - float64(s.PreCPUStats.CPUUsage.TotalUsage)
	sysDelta := float64(s.CPUStats.SystemUsage) - float64(s.PreCPUStats.SystemUsage)
	online := float64(s.CPUStats.OnlineCPUs)
	if online == 0 {
		online = float64(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	if cpuDelta > 0 && sysDelta > 0 {
		cpu = cpuDelta / sysDelta * online * 100
	}
	r.CPUPerc = fmt.Sprintf("%.2f%%", cpu)

	mem := s.MemoryStats.Usage
	if v, ok := s.MemoryStats.Stats["total_inactive_file"]; ok && v < mem { // cgroup v1
		mem -= v
	} else if v, ok := s.MemoryStats.Stats["inactive_file"]; ok && v < mem { // cgroup v2
		mem -= v
	}
	memPerc := 0.0
	if s.MemoryStats.Limit != 0 {
		memPerc = float64(mem) / float64(s.MemoryStats.Limit) * 100
	}
	r.MemUsage = units.BytesSize(float64(mem)) + " / " + units.BytesSize(float64(s.MemoryStats.Limit))
	r.MemPerc = fmt.Sprintf("%.2f%%", memPerc)

	var rx, tx uint64
	for _, n := range s.Networks {
		rx += n.RxBytes
		tx += n.TxBytes
	}
	r.NetIO = units.HumanSizeWithPrecision(float64(rx), 3) + " / " + units.HumanSizeWithPrecision(float64(tx), 3)
	var rd, wr uint64
	for _, e := range s.BlkioStats.IoServiceBytesRecursive {
		switch strings.ToLower(e.Op) {
		case "read":
			rd += e.Value
		case "write":
			wr += e.Value
		}
	}
	r.BlockIO = units.HumanSizeWithPrecision(float64(rd), 3) + " / " + units.HumanSizeWithPrecision(float64(wr), 3)
	r.PIDs = strconv.FormatUint(s.PidsStats.Current, 10)
	return r
}
