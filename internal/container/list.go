package container

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/labelfilter"
	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
)

// ListOptions are GET /containers/json's.
type ListOptions struct {
	All     bool
	Limit   int
	Size    bool
	Filters map[string][]string
}

// List is GET /containers/json: newest first, running ones only unless All.
func (s *Service) List(ctx context.Context, o ListOptions) ([]containertypes.Summary, error) {
	match, err := s.listFilter(o.Filters)
	if err != nil {
		return nil, err
	}
	recs := s.records()
	sort.Slice(recs, func(i, j int) bool { return recs[i].Created.After(recs[j].Created) })
	out := []containertypes.Summary{}
	// "before"/"since" and -n/-l consider every container, -a or not.
	all := o.All || o.Limit > 0 || len(o.Filters["status"]) > 0 || len(o.Filters["exited"]) > 0
	for _, c := range recs {
		if o.Limit > 0 && len(out) >= o.Limit {
			break
		}
		if !all && !c.State.running() && c.State.Status != containertypes.StateRestarting {
			continue
		}
		if !match(c) {
			continue
		}
		out = append(out, s.summary(ctx, &c, o.Size))
	}
	return out, nil
}

func (s *Service) summary(ctx context.Context, c *Container, size bool) containertypes.Summary {
	sum := containertypes.Summary{
		ID: c.ID, Names: []string{"/" + c.Name}, Image: c.Image, ImageID: c.ImageID, Command: command(c),
		Created: c.Created.Unix(), Ports: []containertypes.PortSummary{}, Labels: c.Config.Labels,
		State: c.State.Status, Status: statusText(c), Mounts: c.Mounts,
	}
	if sum.Mounts == nil {
		sum.Mounts = []containertypes.MountPoint{}
	}
	sum.HostConfig.NetworkMode = string(c.HostConfig.NetworkMode)
	ns := s.networkSettings(c)
	sum.NetworkSettings = &containertypes.NetworkSettingsSummary{Networks: ns.Networks}
	for p, bindings := range ns.Ports {
		for _, b := range bindings {
			hp, _ := strconv.ParseUint(b.HostPort, 10, 16)
			sum.Ports = append(sum.Ports, containertypes.PortSummary{IP: b.HostIP, PrivatePort: p.Num(), PublicPort: uint16(hp), Type: string(p.Proto())})
		}
	}
	if h := c.State.Health; h != nil {
		sum.Health = &containertypes.HealthSummary{Status: h.Status, FailingStreak: h.FailingStreak}
	}
	if size {
		if u, err := s.cfg.Snapshots.Usage(ctx, c.ID); err == nil {
			sum.SizeRw = u.Size
			sum.SizeRootFs = s.rootfsSize(ctx, c, u.Size)
		}
	}
	return sum
}

// statusText is the STATUS column: "Up 3 minutes", "Exited (0) 2 seconds ago"…
func statusText(c *Container) string {
	st := c.State
	switch st.Status {
	case containertypes.StateRunning:
		s := "Up " + humanDuration(time.Since(st.StartedAt))
		if st.Health != nil {
			s += " (" + string(st.Health.Status) + ")"
			if st.Health.Status == containertypes.Starting {
				s = "Up " + humanDuration(time.Since(st.StartedAt)) + " (health: starting)"
			}
		}
		return s
	case containertypes.StatePaused:
		return "Up " + humanDuration(time.Since(st.StartedAt)) + " (Paused)"
	case containertypes.StateRestarting:
		return fmt.Sprintf("Restarting (%d) %s ago", st.ExitCode, humanDuration(time.Since(st.FinishedAt)))
	case containertypes.StateExited:
		return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, humanDuration(time.Since(st.FinishedAt)))
	case containertypes.StateCreated:
		return "Created"
	}
	return string(st.Status)
}

// humanDuration is Docker's go-units HumanDuration.
func humanDuration(d time.Duration) string {
	switch s := int(d.Seconds()); {
	case s < 1:
		return "Less than a second"
	case s == 1:
		return "1 second"
	case s < 60:
		return fmt.Sprintf("%d seconds", s)
	}
	switch m := int(d.Minutes()); {
	case m == 1:
		return "About a minute"
	case m < 60:
		return fmt.Sprintf("%d minutes", m)
	}
	switch h := int(d.Hours() + 0.5); {
	case h == 1:
		return "About an hour"
	case h < 48:
		return fmt.Sprintf("%d hours", h)
	case h < 24*7*2:
		return fmt.Sprintf("%d days", h/24)
	case h < 24*30*2:
		return fmt.Sprintf("%d weeks", h/24/7)
	case h < 24*365*2:
		return fmt.Sprintf("%d months", h/24/30)
	default:
		return fmt.Sprintf("%d years", h/24/365)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// listFilter builds the matcher of Docker's container filters.
func (s *Service) listFilter(f map[string][]string) (func(Container) bool, error) {
	for _, st := range f["status"] {
		if err := containertypes.ValidateContainerState(containertypes.ContainerState(st)); err != nil {
			return nil, fmt.Errorf("%v: %w", err, errdefs.ErrInvalidArgument)
		}
	}
	for _, h := range f["health"] {
		if err := containertypes.ValidateHealthStatus(containertypes.HealthStatus(h)); err != nil {
			return nil, fmt.Errorf("%v: %w", err, errdefs.ErrInvalidArgument)
		}
	}
	var exited []int
	for _, v := range f["exited"] {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("invalid filter 'exited=%s': %w", v, errdefs.ErrInvalidArgument)
		}
		exited = append(exited, n)
	}
	var before, since time.Time
	for key, dst := range map[string]*time.Time{"before": &before, "since": &since} {
		for _, ref := range f[key] {
			c, err := s.Get(context.Background(), ref)
			if err != nil {
				return nil, err
			}
			*dst = c.Created
		}
	}
	imageIDs := map[string]bool{}
	for _, a := range f["ancestor"] {
		if img, err := s.cfg.Images.Get(context.Background(), a); err == nil {
			imageIDs[img.ID.String()] = true
		}
	}
	return func(c Container) bool {
		if v := f["status"]; len(v) > 0 && !slices.Contains(v, string(c.State.Status)) {
			return false
		}
		if v := f["id"]; len(v) > 0 && !slices.ContainsFunc(v, func(p string) bool { return strings.HasPrefix(c.ID, p) }) {
			return false
		}
		if v := f["name"]; len(v) > 0 && !slices.ContainsFunc(v, func(p string) bool { return strings.Contains(c.Name, strings.TrimPrefix(p, "/")) }) {
			return false
		}
		if !labelfilter.Match(f["label"], c.Config.Labels) {
			return false
		}
		if len(exited) > 0 && (c.State.Status != containertypes.StateExited || !slices.Contains(exited, c.State.ExitCode)) {
			return false
		}
		if v := f["health"]; len(v) > 0 {
			h := string(containertypes.NoHealthcheck)
			if c.State.Health != nil {
				h = string(c.State.Health.Status)
			}
			if !slices.Contains(v, h) {
				return false
			}
		}
		if v := f["ancestor"]; len(v) > 0 && !imageIDs[c.ImageID] && !slices.Contains(v, c.Image) {
			return false
		}
		if !before.IsZero() && !c.Created.Before(before) {
			return false
		}
		if !since.IsZero() && !c.Created.After(since) {
			return false
		}
		return true
	}, nil
}

// rootfsSize is the whole root filesystem's size as Docker reports it
// (SizeRootFs, ps -s's "virtual"): the image's layers and the writable
// layer.
func (s *Service) rootfsSize(ctx context.Context, c *Container, rw int64) int64 {
	img, err := s.cfg.Images.Get(ctx, c.ImageID)
	if err != nil {
		return rw // the image is gone: the writable layer is all we know
	}
	return img.Size + rw
}
