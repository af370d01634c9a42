package cli

import (
	"encoding/csv"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
)

// parseStorage reads -v, --mount and --tmpfs. A -v with a source (a host
// path or a volume name) is a bind string for the daemon; a -v with only a
// destination asks for an anonymous volume, as Docker's.
func (o *runOptions) parseStorage(cfg *container.Config, hc *container.HostConfig) error {
	for _, v := range o.volumes {
		src, dst, opts, err := splitVolumeSpec(v)
		if err != nil {
			return err
		}
		if src == "" {
			if cfg.Volumes == nil {
				cfg.Volumes = map[string]struct{}{}
			}
			cfg.Volumes[dst] = struct{}{}
			continue
		}
		if strings.HasPrefix(src, ".") {
			// Docker resolves a relative host path against the client's directory.
			abs, err := filepath.Abs(src)
			if err != nil {
				return fmt.Errorf("volume %q: %w", v, err)
			}
			src = abs
		}
		bind := src + ":" + dst
		if opts != "" {
			bind += ":" + opts
		}
		hc.Binds = append(hc.Binds, bind)
	}
	for _, m := range o.mounts {
		mnt, err := parseMount(m)
		if err != nil {
			return err
		}
		hc.Mounts = append(hc.Mounts, mnt)
	}
	for _, t := range o.tmpfs {
		dst, opts, _ := strings.Cut(t, ":")
		if !path.IsAbs(dst) {
			return invalidf("invalid --tmpfs %q: the mount path must be absolute", t)
		}
		if hc.Tmpfs == nil {
			hc.Tmpfs = map[string]string{}
		}
		hc.Tmpfs[dst] = opts
	}
	return nil
}

// splitVolumeSpec reads [SRC:]DST[:OPTS] for -v.
func splitVolumeSpec(spec string) (src, dst, opts string, err error) {
	parts := strings.Split(spec, ":")
	switch len(parts) {
	case 1:
		dst = parts[0]
	case 2:
		if !path.IsAbs(parts[1]) && isVolumeOpts(parts[1]) {
			return "", "", "", invalidf("invalid volume specification %q: an anonymous volume takes no options", spec)
		}
		src, dst = parts[0], parts[1]
	case 3:
		src, dst, opts = parts[0], parts[1], parts[2]
	default:
		return "", "", "", invalidf("invalid volume specification %q: too many colons", spec)
	}
	if dst == "" || !path.IsAbs(dst) {
		return "", "", "", invalidf("invalid volume specification %q: the mount path %q must be absolute", spec, dst)
	}
	if src == "" && len(parts) > 1 {
		return "", "", "", invalidf("invalid volume specification %q: empty source", spec)
	}
	if opts != "" && !isVolumeOpts(opts) {
		return "", "", "", invalidf("invalid volume specification %q: unknown option in %q", spec, opts)
	}
	return src, dst, opts, nil
}

// isVolumeOpts accepts Docker's -v options: ro/rw, z/Z, nocopy and the
// propagation modes.
func isVolumeOpts(s string) bool {
	for _, o := range strings.Split(s, ",") {
		switch o {
		case "ro", "rw", "z", "Z", "nocopy", "private", "rprivate", "shared", "rshared", "slave", "rslave":
		default:
			return false
		}
	}
	return true
}

// parseMount reads one --mount: comma-separated key=value pairs, as
// Docker's (CSV, so a value may be quoted).
func parseMount(spec string) (mount.Mount, error) {
	fields, err := csv.NewReader(strings.NewReader(spec)).Read()
	if err != nil {
		return mount.Mount{}, invalidf("invalid --mount %q: %v", spec, err)
	}
	m := mount.Mount{Type: mount.TypeVolume}
	bad := func(why string) (mount.Mount, error) {
		return mount.Mount{}, invalidf("invalid --mount %q: %s", spec, why)
	}
	for _, f := range fields {
		k, v, hasValue := strings.Cut(f, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		switch k {
		case "type":
			m.Type = mount.Type(v)
		case "source", "src":
			m.Source = v
		case "target", "dst", "destination":
			m.Target = v
		case "readonly", "ro":
			ro := true
			if hasValue {
				if ro, err = strconv.ParseBool(v); err != nil {
					return bad("readonly takes true or false")
				}
			}
			m.ReadOnly = ro
		case "bind-propagation":
			ensureBind(&m).Propagation = mount.Propagation(v)
		case "bind-nonrecursive":
			ensureBind(&m).NonRecursive = v == "" || v == "true" || v == "1"
		case "volume-nocopy":
			ensureVolume(&m).NoCopy = v == "" || v == "true" || v == "1"
		case "volume-subpath":
			ensureVolume(&m).Subpath = v
		case "volume-driver":
			ensureVolumeDriver(&m).Name = v
		case "volume-label":
			lk, lv, _ := strings.Cut(v, "=")
			vo := ensureVolume(&m)
			if vo.Labels == nil {
				vo.Labels = map[string]string{}
			}
			vo.Labels[lk] = lv
		case "volume-opt":
			ok, ov, _ := strings.Cut(v, "=")
			d := ensureVolumeDriver(&m)
			if d.Options == nil {
				d.Options = map[string]string{}
			}
			d.Options[ok] = ov
		case "tmpfs-size":
			n, err := units.RAMInBytes(v)
			if err != nil || n < 0 {
				return bad("tmpfs-size must be a size such as 64m")
			}
			ensureTmpfs(&m).SizeBytes = n
		case "tmpfs-mode":
			n, err := strconv.ParseUint(v, 8, 32)
			if err != nil {
				return bad("tmpfs-mode must be octal, e.g. 1777")
			}
			ensureTmpfs(&m).Mode = os.FileMode(n)
		default:
			return bad("unknown key " + strconv.Quote(k))
		}
	}
	switch m.Type {
	case mount.TypeBind, mount.TypeVolume, mount.TypeTmpfs:
	default:
		return bad("type must be bind, volume or tmpfs")
	}
	if m.Target == "" || !path.IsAbs(m.Target) {
		return bad("target must be an absolute path")
	}
	if m.Type == mount.TypeBind && (m.Source == "" || !path.IsAbs(m.Source)) {
		return bad("a bind mount needs an absolute source")
	}
	if m.Type == mount.TypeTmpfs && m.Source != "" {
		return bad("a tmpfs mount takes no source")
	}
	if m.BindOptions != nil && m.Type != mount.TypeBind || m.VolumeOptions != nil && m.Type != mount.TypeVolume ||
		m.TmpfsOptions != nil && m.Type != mount.TypeTmpfs {
		return bad("options do not match the mount type")
	}
	return m, nil
}

func ensureBind(m *mount.Mount) *mount.BindOptions {
	if m.BindOptions == nil {
		m.BindOptions = &mount.BindOptions{}
	}
	return m.BindOptions
}

func ensureVolume(m *mount.Mount) *mount.VolumeOptions {
	if m.VolumeOptions == nil {
		m.VolumeOptions = &mount.VolumeOptions{}
	}
	return m.VolumeOptions
}

func ensureVolumeDriver(m *mount.Mount) *mount.Driver {
	v := ensureVolume(m)
	if v.DriverConfig == nil {
		v.DriverConfig = &mount.Driver{}
	}
	return v.DriverConfig
}

func ensureTmpfs(m *mount.Mount) *mount.TmpfsOptions {
	if m.TmpfsOptions == nil {
		m.TmpfsOptions = &mount.TmpfsOptions{}
	}
	return m.TmpfsOptions
}
