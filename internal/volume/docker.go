package volume

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/labelfilter"
	"github.com/containerd/errdefs"
	volumetypes "github.com/moby/moby/api/types/volume"
)

// The methods in this file are the Docker Engine API's view of the
// service (the api package's VolumeService).

// Docker returns v in the Docker API's shape.
func (s *Service) Docker(v Volume) volumetypes.Volume {
	labels := v.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	opts := v.Options
	if opts == nil {
		opts = map[string]string{}
	}
	return volumetypes.Volume{
		Name: v.Name, Driver: Driver, Mountpoint: s.Path(v.Name), Labels: labels, Options: opts,
		Scope: "local", CreatedAt: v.CreatedAt.Format(time.RFC3339),
	}
}

// CreateVolume is POST /volumes/create.
func (s *Service) CreateVolume(ctx context.Context, req volumetypes.CreateRequest) (volumetypes.Volume, error) {
	v, err := s.Create(ctx, CreateOptions{Name: req.Name, Driver: req.Driver, Labels: req.Labels, Options: req.DriverOpts})
	if err != nil {
		return volumetypes.Volume{}, err
	}
	return s.Docker(v), nil
}

// InspectVolume is GET /volumes/{name}.
func (s *Service) InspectVolume(ctx context.Context, name string) (volumetypes.Volume, error) {
	v, err := s.Get(ctx, name)
	if err != nil {
		return volumetypes.Volume{}, err
	}
	return s.Docker(v), nil
}

// ListVolumes is GET /volumes with filters name, label, dangling, driver.
func (s *Service) ListVolumes(ctx context.Context, filters map[string][]string) (volumetypes.ListResponse, error) {
	match, err := s.filter(filters)
	if err != nil {
		return volumetypes.ListResponse{}, err
	}
	vs, err := s.List(ctx)
	if err != nil {
		return volumetypes.ListResponse{}, err
	}
	out := volumetypes.ListResponse{Volumes: []volumetypes.Volume{}, Warnings: []string{}}
	for _, v := range vs {
		if match(v) {
			out.Volumes = append(out.Volumes, s.Docker(v))
		}
	}
	return out, nil
}

// RemoveVolume is DELETE /volumes/{name}.
func (s *Service) RemoveVolume(ctx context.Context, name string, force bool) error {
	return s.Remove(ctx, name, force)
}

// PruneVolumes is POST /volumes/prune (filters label, all).
func (s *Service) PruneVolumes(ctx context.Context, filters map[string][]string) (volumetypes.PruneReport, error) {
	all := slices.Contains(filters["all"], "true") || slices.Contains(filters["all"], "1")
	delete(filters, "all")
	match, err := s.filter(filters)
	if err != nil {
		return volumetypes.PruneReport{}, err
	}
	names, size, err := s.Prune(ctx, PruneOptions{All: all, Match: match})
	if names == nil {
		names = []string{}
	}
	return volumetypes.PruneReport{VolumesDeleted: names, SpaceReclaimed: size}, err
}

// filter builds the matcher of Docker's volume filters.
func (s *Service) filter(filters map[string][]string) (func(Volume) bool, error) {
	for k, vals := range filters {
		switch k {
		case "name", "label", "driver":
		case "dangling":
			for _, v := range vals {
				if v != "true" && v != "false" && v != "1" && v != "0" {
					return nil, fmt.Errorf("invalid filter 'dangling=%s': %w", v, errdefs.ErrInvalidArgument)
				}
			}
		default:
			return nil, fmt.Errorf("invalid filter %q: %w", k, errdefs.ErrInvalidArgument)
		}
	}
	return func(v Volume) bool {
		if ns := filters["name"]; len(ns) > 0 && !slices.ContainsFunc(ns, func(n string) bool { return strings.Contains(v.Name, n) }) {
			return false
		}
		if ds := filters["driver"]; len(ds) > 0 && !slices.Contains(ds, Driver) {
			return false
		}
		if !labelfilter.Match(filters["label"], v.Labels) {
			return false
		}
		for _, d := range filters["dangling"] {
			dangling := len(s.InUse(v.Name)) == 0
			if (d == "true" || d == "1") != dangling {
				return false
			}
		}
		return true
	}, nil
}
