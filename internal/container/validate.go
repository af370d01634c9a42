package container

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/berthproject/berth/internal/oci"
	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
)

// validateConfig checks, at create as Docker does, what would otherwise
// only fail at start (or never): the stop signal and the CPUs of
// --cpuset-cpus.
func validateConfig(cfg *containertypes.Config, hc *containertypes.HostConfig) error {
	if cfg.StopSignal != "" {
		if _, err := oci.ParseSignal(cfg.StopSignal); err != nil {
			return errdefs.ErrInvalidArgument.WithMessage("Invalid signal: " + cfg.StopSignal)
		}
	}
	if cpus := hc.CpusetCpus; cpus != "" {
		want, err := parseCPUList(cpus)
		if err != nil {
			return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Invalid value %s for cpuset cpus", cpus))
		}
		online, err := os.ReadFile("/sys/devices/system/cpu/online")
		if err != nil {
			return nil // the runtime will say
		}
		have, err := parseCPUList(strings.TrimSpace(string(online)))
		if err != nil {
			return nil
		}
		for c := range want {
			if !have[c] {
				return errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("Requested CPUs are not available - requested %s, available: %s", cpus, strings.TrimSpace(string(online))))
			}
		}
	}
	return nil
}

// parseCPUList reads a list such as "0-3,5".
func parseCPUList(s string) (map[int]bool, error) {
	out := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("cpu list %q: %w", s, errdefs.ErrInvalidArgument)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("cpu list %q: %w", s, errdefs.ErrInvalidArgument)
			}
		}
		for c := a; c <= b; c++ {
			out[c] = true
		}
	}
	return out, nil
}
