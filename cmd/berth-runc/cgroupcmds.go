package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func idCommand(name string, f func(ctx context.Context, g *globals, id string) error) func(context.Context, *globals, []string) error {
	return func(ctx context.Context, g *globals, args []string) error {
		fs := flag.NewFlagSet(name, flag.ContinueOnError)
		if err := fs.Parse(args); err != nil {
			return err
		}
		id, err := oneID(fs)
		if err != nil {
			return err
		}
		return f(ctx, g, id)
	}
}

var (
	cmdPause  = idCommand("pause", func(ctx context.Context, g *globals, id string) error { return g.rt.Pause(ctx, id) })
	cmdResume = idCommand("resume", func(ctx context.Context, g *globals, id string) error { return g.rt.Resume(ctx, id) })
)

func cmdPs(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("ps", flag.ContinueOnError)
	format := fs.String("format", "table", "table or json")
	fs.StringVar(format, "f", "table", "table or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	pids, err := g.rt.Ps(ctx, id)
	if err != nil {
		return err
	}
	if *format == "json" {
		if pids == nil {
			pids = []int{}
		}
		return printJSON(pids)
	}
	// As runc: run the host's ps and keep the container's lines.
	psArgs := fs.Args()[1:]
	if len(psArgs) == 0 {
		psArgs = []string{"-ef"}
	}
	out, err := exec.CommandContext(ctx, "ps", psArgs...).Output()
	if err != nil {
		return fmt.Errorf("ps: %w", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	pidCol := -1
	for i, h := range strings.Fields(lines[0]) {
		if h == "PID" {
			pidCol = i
		}
	}
	if pidCol < 0 {
		return fmt.Errorf("ps: no PID column in its output")
	}
	in := map[int]bool{}
	for _, p := range pids {
		in[p] = true
	}
	fmt.Println(lines[0])
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) > pidCol {
			if p, err := strconv.Atoi(f[pidCol]); err == nil && in[p] {
				fmt.Println(l)
			}
		}
	}
	return nil
}

func cmdUpdate(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("update", flag.ContinueOnError)
	resFile := fs.String("resources", "", "linux.resources JSON file (- for stdin)")
	fs.StringVar(resFile, "r", "", "linux.resources JSON file (- for stdin)")
	memory := fs.String("memory", "", "memory limit in bytes (k/m/g suffixes)")
	memSwap := fs.String("memory-swap", "", "memory+swap limit")
	memRes := fs.String("memory-reservation", "", "memory soft limit")
	cpuShares := fs.Uint64("cpu-shares", 0, "cpu shares")
	cpuQuota := fs.Int64("cpu-quota", 0, "cpu quota (µs per period)")
	cpuPeriod := fs.Uint64("cpu-period", 0, "cpu period (µs)")
	cpus := fs.String("cpuset-cpus", "", "cpus allowed")
	mems := fs.String("cpuset-mems", "", "memory nodes allowed")
	pids := fs.Int64("pids-limit", 0, "maximum number of processes")
	blkio := fs.Uint("blkio-weight", 0, "block IO weight")
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	res := &specs.LinuxResources{}
	if *resFile != "" {
		var r io.Reader = os.Stdin
		if *resFile != "-" {
			f, err := os.Open(*resFile)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		if err := json.NewDecoder(r).Decode(res); err != nil {
			return fmt.Errorf("parse --resources: %w", err)
		}
	}
	mem := func(s string) (*int64, error) {
		if s == "" {
			return nil, nil
		}
		v, err := parseBytes(s)
		return &v, err
	}
	res.Memory = orNew(res.Memory)
	if res.Memory.Limit, err = orKeep(res.Memory.Limit, mem, *memory); err != nil {
		return err
	}
	if res.Memory.Swap, err = orKeep(res.Memory.Swap, mem, *memSwap); err != nil {
		return err
	}
	if res.Memory.Reservation, err = orKeep(res.Memory.Reservation, mem, *memRes); err != nil {
		return err
	}
	res.CPU = orNew(res.CPU)
	if *cpuShares != 0 {
		res.CPU.Shares = cpuShares
	}
	if *cpuQuota != 0 {
		res.CPU.Quota = cpuQuota
	}
	if *cpuPeriod != 0 {
		res.CPU.Period = cpuPeriod
	}
	if *cpus != "" {
		res.CPU.Cpus = *cpus
	}
	if *mems != "" {
		res.CPU.Mems = *mems
	}
	if *pids != 0 {
		res.Pids = &specs.LinuxPids{Limit: pids}
	}
	if *blkio != 0 {
		w := uint16(*blkio)
		res.BlockIO = &specs.LinuxBlockIO{Weight: &w}
	}
	return g.rt.Update(ctx, id, res)
}

func orNew[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

func orKeep(cur *int64, f func(string) (*int64, error), s string) (*int64, error) {
	v, err := f(s)
	if err != nil || v == nil {
		return cur, err
	}
	return v, nil
}

func parseBytes(s string) (int64, error) {
	mult := int64(1)
	switch strings.ToLower(s[len(s)-1:]) {
	case "k":
		mult = 1 << 10
	case "m":
		mult = 1 << 20
	case "g":
		mult = 1 << 30
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	if v == -1 {
		return -1, nil
	}
	return v * mult, nil
}

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "\t")
	return enc.Encode(v)
}
