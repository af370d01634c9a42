package container

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	containertypes "github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/storage"
)

// Get returns a copy of a container's record.
func (s *Service) Get(ctx context.Context, ref string) (Container, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return Container{}, err
	}
	return s.record(e), nil
}

// timeString is Docker's form of a state time: RFC 3339 with nanoseconds,
// the zero time as "0001-01-01T00:00:00Z".
func timeString(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// Inspect is GET /containers/{id}/json.
func (s *Service) Inspect(ctx context.Context, ref string, size bool) (containertypes.InspectResponse, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return containertypes.InspectResponse{}, err
	}
	b := s.bundle(c.ID)
	st := c.State
	lc, _ := s.logConfig(&c)
	resp := containertypes.InspectResponse{
		ID: c.ID, Created: timeString(c.Created), Path: c.Path, Args: c.Args,
		State: &containertypes.State{
			Status: st.Status, Running: st.running() || st.Status == containertypes.StateRestarting,
			Paused: st.Status == containertypes.StatePaused, Restarting: st.Status == containertypes.StateRestarting,
			OOMKilled: st.OOMKilled, Dead: st.Status == containertypes.StateDead, Pid: st.Pid, ExitCode: st.ExitCode,
			Error: st.Error, StartedAt: timeString(st.StartedAt), FinishedAt: timeString(st.FinishedAt), Health: st.Health,
		},
		Image: c.ImageID, ResolvConfPath: filepath.Join(b, "resolv.conf"), HostnamePath: filepath.Join(b, "hostname"),
		HostsPath: filepath.Join(b, "hosts"), LogPath: lc.Path, Name: "/" + c.Name, RestartCount: c.RestartCount,
		Driver: s.cfg.Snapshots.Name(), Platform: "linux", ExecIDs: s.execIDs(c.ID), HostConfig: c.HostConfig,
		Mounts: c.Mounts, Config: c.Config,
		GraphDriver:     &storage.DriverData{Name: s.cfg.Snapshots.Name(), Data: map[string]string{"MergedDir": s.rootfs(c.ID)}},
		NetworkSettings: s.networkSettings(&c),
	}
	if resp.Mounts == nil {
		resp.Mounts = []containertypes.MountPoint{}
	}
	if st.Status == containertypes.StateRunning {
		resp.State.Running = true
	}
	if size {
		if u, err := s.cfg.Snapshots.Usage(ctx, c.ID); err == nil {
			root := s.rootfsSize(ctx, &c, u.Size)
			resp.SizeRw, resp.SizeRootFs = &u.Size, &root
		}
	}
	return resp, nil
}

func sandboxKey(c *Container) string {
	if c.State.Pid == 0 {
		return ""
	}
	return "/proc/" + itoa(c.State.Pid) + "/ns/net"
}

func (s *Service) execIDs(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for xid, x := range s.execs {
		if x.containerID == id && x.exitCode == nil {
			ids = append(ids, xid)
		}
	}
	return ids
}

// command is the COMMAND column of ps: the process line, as Docker shows it.
func command(c *Container) string {
	return strings.Join(append([]string{c.Path}, c.Args...), " ")
}
