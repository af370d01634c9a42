package container

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
)

// Top is GET /containers/{id}/top: the host's ps (with psArgs, "-ef" by
// default) filtered to the container's processes, as Docker does.
func (s *Service) Top(ctx context.Context, ref, psArgs string) (containertypes.TopResponse, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return containertypes.TopResponse{}, err
	}
	c := s.record(e)
	if !c.State.running() {
		return containertypes.TopResponse{}, errdefs.ErrConflict.WithMessage(fmt.Sprintf("container %s is not running", c.ID))
	}
	pids, err := s.cfg.Monitor.Ps(ctx, c.ID)
	if err != nil {
		return containertypes.TopResponse{}, err
	}
	if psArgs == "" {
		psArgs = "-ef"
	}
	out, err := exec.CommandContext(ctx, "ps", strings.Fields(psArgs)...).Output()
	if err != nil {
		return containertypes.TopResponse{}, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("ps %s: %v", psArgs, err))
	}
	return parsePS(out, pids)
}

// parsePS keeps the lines of ps output whose PID column is one of pids.
func parsePS(out []byte, pids []int) (containertypes.TopResponse, error) {
	lines := strings.Split(string(bytes.TrimSpace(out)), "\n")
	titles := strings.Fields(lines[0])
	col := slices.Index(titles, "PID")
	if col < 0 {
		return containertypes.TopResponse{}, errdefs.ErrInvalidArgument.WithMessage("Couldn't find PID field in ps output")
	}
	resp := containertypes.TopResponse{Titles: titles, Processes: [][]string{}}
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) <= col {
			continue
		}
		pid, err := strconv.Atoi(fields[col])
		if err != nil || !slices.Contains(pids, pid) {
			continue
		}
		// The last column (the command) may hold spaces.
		if len(fields) > len(titles) {
			fields = append(fields[:len(titles)-1], strings.Join(fields[len(titles)-1:], " "))
		}
		resp.Processes = append(resp.Processes, fields)
	}
	return resp, nil
}
