package container

import (
	"context"
	"fmt"

	containertypes "github.com/moby/moby/api/types/container"
)

// Update is POST /containers/{id}/update (docker update): the resource
// limits given (non-zero fields) and the restart policy, applied to the
// running container's cgroup at once and kept for its next runs.
func (s *Service) Update(ctx context.Context, ref string, u containertypes.UpdateConfig) (containertypes.UpdateResponse, error) {
	resp := containertypes.UpdateResponse{Warnings: []string{}}
	e, err := s.lookup(ref)
	if err != nil {
		return resp, err
	}
	e.op.Lock()
	defer e.op.Unlock()
	c := s.record(e)
	hc := *c.HostConfig
	r, n := &hc.Resources, u.Resources
	for _, f := range []struct {
		dst *int64
		src int64
	}{
		{&r.Memory, n.Memory}, {&r.MemorySwap, n.MemorySwap}, {&r.MemoryReservation, n.MemoryReservation},
		{&r.NanoCPUs, n.NanoCPUs}, {&r.CPUShares, n.CPUShares}, {&r.CPUPeriod, n.CPUPeriod}, {&r.CPUQuota, n.CPUQuota},
	} {
		if f.src != 0 {
			*f.dst = f.src
		}
	}
	if n.CpusetCpus != "" {
		r.CpusetCpus = n.CpusetCpus
	}
	if n.CpusetMems != "" {
		r.CpusetMems = n.CpusetMems
	}
	if n.PidsLimit != nil {
		r.PidsLimit = n.PidsLimit
	}
	if u.RestartPolicy.Name != "" {
		hc.RestartPolicy = u.RestartPolicy
	}
	if err := validateHostConfig(&hc); err != nil {
		return resp, err
	}
	if c.State.running() {
		c.HostConfig = &hc
		spec, err := s.generateSpec(ctx, &c)
		if err != nil {
			return resp, err
		}
		if err := s.cfg.Monitor.Update(ctx, c.ID, spec.Linux.Resources); err != nil {
			return resp, fmt.Errorf("update %s: %w", c.Name, err)
		}
	}
	if err := s.update(ctx, e, func(c *Container) { c.HostConfig = &hc }); err != nil {
		return resp, err
	}
	s.emit(c, "update", nil)
	return resp, nil
}
