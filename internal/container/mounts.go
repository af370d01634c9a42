package container

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/berthproject/berth/internal/volume"
	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
)

// mountPoints turns -v binds, --mount and the image's and config's
// VOLUMEs into the container's mount points, creating the named and
// anonymous volumes they need. It returns the anonymous volumes it made,
// for the caller to remove should create fail.
func (s *Service) mountPoints(ctx context.Context, cfg *containertypes.Config, hc *containertypes.HostConfig) ([]containertypes.MountPoint, []string, error) {
	// Every spec is checked before anything is made: a refused create
	// must not leave a named volume or a bind source directory behind.
	if err := checkMountSpecs(hc); err != nil {
		return nil, nil, err
	}
	var mps []containertypes.MountPoint
	var anon []string
	taken := map[string]bool{}
	add := func(mp containertypes.MountPoint) error {
		if err := checkDestination(mp.Destination); err != nil {
			return err
		}
		mp.Destination = path.Clean(mp.Destination)
		if taken[mp.Destination] {
			return fmt.Errorf("duplicate mount point: %s: %w", mp.Destination, errdefs.ErrInvalidArgument)
		}
		taken[mp.Destination] = true
		mps = append(mps, mp)
		return nil
	}
	makeVolume := func(name string, labels map[string]string) (string, error) {
		if s.cfg.Volumes == nil {
			return "", fmt.Errorf("volumes are not available: %w", errdefs.ErrNotImplemented)
		}
		v, err := s.cfg.Volumes.Create(ctx, volume.CreateOptions{Name: name, Labels: labels})
		if err != nil {
			return "", err
		}
		if name == "" {
			anon = append(anon, v.Name)
		}
		return v.Name, nil
	}
	for _, b := range hc.Binds {
		mp, err := parseBind(b)
		if err != nil {
			return nil, anon, err
		}
		if mp.Type == mount.TypeVolume {
			if mp.Name, err = makeVolume(mp.Name, nil); err != nil {
				return nil, anon, err
			}
			mp.Source = s.cfg.Volumes.Path(mp.Name)
		} else if err := os.MkdirAll(mp.Source, 0o755); err != nil {
			// Docker creates a missing -v host directory.
			return nil, anon, fmt.Errorf("create bind source %s: %w", mp.Source, err)
		}
		if err := add(mp); err != nil {
			return nil, anon, err
		}
	}
	for _, m := range hc.Mounts {
		mp, err := s.fromMount(m, makeVolume)
		if err != nil {
			return nil, anon, err
		}
		if err := add(mp); err != nil {
			return nil, anon, err
		}
	}
	// VOLUME of the image and of the config: an anonymous volume each,
	// unless something else is mounted there.
	var dests []string
	for d := range cfg.Volumes {
		dests = append(dests, d)
	}
	sort.Strings(dests)
	for _, d := range dests {
		if taken[path.Clean(d)] || hc.Tmpfs[d] != "" || slices.Contains(tmpfsTargets(hc), path.Clean(d)) {
			continue
		}
		name, err := makeVolume("", nil)
		if err != nil {
			return nil, anon, err
		}
		if err := add(containertypes.MountPoint{Type: mount.TypeVolume, Name: name, Source: s.cfg.Volumes.Path(name), Destination: d, Driver: volume.Driver, RW: true}); err != nil {
			return nil, anon, err
		}
	}
	return mps, anon, nil
}

// checkMountSpecs parses every -v and checks every --mount target, with
// no side effect.
func checkMountSpecs(hc *containertypes.HostConfig) error {
	for _, b := range hc.Binds {
		mp, err := parseBind(b)
		if err != nil {
			return err
		}
		if err := checkDestination(mp.Destination); err != nil {
			return err
		}
	}
	for _, m := range hc.Mounts {
		if m.Target == "" {
			continue // fromMount words this one
		}
		if err := checkDestination(m.Target); err != nil {
			return err
		}
	}
	return nil
}

// checkDestination refuses a mount path in the container that is not
// absolute, or is the root itself.
func checkDestination(dst string) error {
	if !path.IsAbs(dst) {
		return fmt.Errorf("invalid mount config: mount path %q must be absolute: %w", dst, errdefs.ErrInvalidArgument)
	}
	if path.Clean(dst) == "/" {
		return fmt.Errorf("invalid mount config: destination can't be '/': %w", errdefs.ErrInvalidArgument)
	}
	return nil
}

func tmpfsTargets(hc *containertypes.HostConfig) []string {
	var out []string
	for t := range hc.Tmpfs {
		out = append(out, path.Clean(t))
	}
	return out
}

// parseBind parses a -v: "name:/dst[:opts]", "/host:/dst[:opts]" or "/dst".
func parseBind(b string) (containertypes.MountPoint, error) {
	parts := strings.Split(b, ":")
	mp := containertypes.MountPoint{RW: true}
	var opts string
	switch len(parts) {
	case 1:
		mp.Type, mp.Destination = mount.TypeVolume, parts[0]
	case 2:
		mp.Source, mp.Destination = parts[0], parts[1]
	case 3:
		mp.Source, mp.Destination, opts = parts[0], parts[1], parts[2]
	default:
		return mp, fmt.Errorf("invalid volume specification: %q: %w", b, errdefs.ErrInvalidArgument)
	}
	if mp.Source != "" {
		if filepath.IsAbs(mp.Source) {
			mp.Type, mp.Source = mount.TypeBind, filepath.Clean(mp.Source)
		} else if strings.ContainsAny(mp.Source, "/.") && !validVolumeName(mp.Source) {
			return mp, fmt.Errorf("invalid volume specification: %q: the host path %q must be absolute, or a volume name: %w", b, mp.Source, errdefs.ErrInvalidArgument)
		} else {
			mp.Type, mp.Name, mp.Source = mount.TypeVolume, mp.Source, ""
		}
	}
	if mp.Type == mount.TypeVolume {
		mp.Driver = volume.Driver
	}
	mp.Mode = opts
	for _, o := range strings.Split(opts, ",") {
		switch o {
		case "", "rw", "z", "Z", "nocopy":
		case "ro":
			mp.RW = false
		case "private", "rprivate", "shared", "rshared", "slave", "rslave":
			mp.Propagation = mount.Propagation(o)
		default:
			return mp, fmt.Errorf("invalid volume specification: %q: unknown option %q: %w", b, o, errdefs.ErrInvalidArgument)
		}
	}
	if mp.Type == mount.TypeBind && mp.Propagation == "" {
		mp.Propagation = mount.PropagationRPrivate
	}
	return mp, nil
}

func validVolumeName(n string) bool {
	if n == "" || strings.Contains(n, "/") {
		return false
	}
	c := n[0]
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// fromMount turns a --mount into a mount point.
func (s *Service) fromMount(m mount.Mount, makeVolume func(string, map[string]string) (string, error)) (containertypes.MountPoint, error) {
	mp := containertypes.MountPoint{Type: m.Type, Destination: m.Target, RW: !m.ReadOnly}
	if m.Target == "" {
		return mp, fmt.Errorf("invalid mount config: Target must not be empty: %w", errdefs.ErrInvalidArgument)
	}
	switch m.Type {
	case mount.TypeBind:
		if !filepath.IsAbs(m.Source) {
			return mp, fmt.Errorf("invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute: %w", m.Source, errdefs.ErrInvalidArgument)
		}
		if _, err := os.Stat(m.Source); err != nil {
			if m.BindOptions == nil || !m.BindOptions.CreateMountpoint {
				return mp, fmt.Errorf("invalid mount config for type \"bind\": bind source path does not exist: %s: %w", m.Source, errdefs.ErrInvalidArgument)
			}
			if err := os.MkdirAll(m.Source, 0o755); err != nil {
				return mp, fmt.Errorf("create bind source %s: %w", m.Source, err)
			}
		}
		mp.Source, mp.Propagation = filepath.Clean(m.Source), mount.PropagationRPrivate
		if m.BindOptions != nil && m.BindOptions.Propagation != "" {
			mp.Propagation = m.BindOptions.Propagation
		}
	case mount.TypeVolume:
		var labels map[string]string
		if m.VolumeOptions != nil {
			labels = m.VolumeOptions.Labels
			if m.VolumeOptions.NoCopy {
				mp.Mode = "nocopy"
			}
		}
		name, err := makeVolume(m.Source, labels)
		if err != nil {
			return mp, err
		}
		mp.Name, mp.Source, mp.Driver = name, s.cfg.Volumes.Path(name), volume.Driver
		if mp.Mode == "" {
			mp.Mode = "z"
		}
	case mount.TypeTmpfs:
		if m.Source != "" {
			return mp, fmt.Errorf("invalid mount config for type \"tmpfs\": source must not be set: %w", errdefs.ErrInvalidArgument)
		}
		var opts []string
		if t := m.TmpfsOptions; t != nil {
			if t.SizeBytes > 0 {
				opts = append(opts, fmt.Sprintf("size=%d", t.SizeBytes))
			}
			if t.Mode != 0 {
				opts = append(opts, fmt.Sprintf("mode=%o", t.Mode.Perm()))
			}
		}
		mp.Mode = strings.Join(opts, ",")
	default:
		return mp, fmt.Errorf("invalid mount config: mount type %q is not supported: %w", m.Type, errdefs.ErrInvalidArgument)
	}
	return mp, nil
}
