package oci

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// DefaultShmSize is the size of /dev/shm when --shm-size is not given.
const DefaultShmSize = 64 << 20

// defaultMounts are Docker's: proc, a tmpfs /dev with devpts, shm and
// mqueue, and read-only sysfs and cgroupfs (read-write when privileged).
func defaultMounts(o Options) []specs.Mount {
	sysMode := "ro"
	if o.Privileged {
		sysMode = "rw"
	}
	shm := o.ShmSize
	if shm == 0 {
		shm = DefaultShmSize
	}
	ms := []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", sysMode}},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{sysMode, "nosuid", "noexec", "nodev"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
	}
	switch {
	case o.IPC.Host:
		ms = append(ms, specs.Mount{Destination: "/dev/shm", Type: "bind", Source: "/dev/shm", Options: []string{"rbind", "nosuid", "noexec", "nodev"}})
	case o.IPC.Path != "" && o.ShmPath != "":
		ms = append(ms, specs.Mount{Destination: "/dev/shm", Type: "bind", Source: o.ShmPath, Options: []string{"rbind", "nosuid", "noexec", "nodev"}})
	default:
		ms = append(ms, specs.Mount{Destination: "/dev/shm", Type: "tmpfs", Source: "shm",
			Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=" + strconv.FormatInt(shm, 10)}})
	}
	return ms
}

// etcMounts bind-mounts the files the container service wrote for the
// container over /etc/hostname, /etc/hosts and /etc/resolv.conf.
func etcMounts(o Options) []specs.Mount {
	var ms []specs.Mount
	for _, f := range []struct{ src, dst string }{
		{o.HostnamePath, "/etc/hostname"}, {o.HostsPath, "/etc/hosts"}, {o.ResolvConfPath, "/etc/resolv.conf"},
	} {
		if f.src == "" {
			continue
		}
		opts := []string{"rbind", "rprivate"}
		if o.ReadOnly {
			opts = append(opts, "ro")
		}
		ms = append(ms, specs.Mount{Destination: f.dst, Type: "bind", Source: f.src, Options: opts})
	}
	return ms
}

// userMounts turns -v, --mount and --tmpfs into spec mounts, checked and
// sorted so that a parent is mounted before what is below it.
func userMounts(o Options) ([]specs.Mount, error) {
	var ms []specs.Mount
	seen := map[string]bool{}
	add := func(m specs.Mount) error {
		dst := m.Destination
		if !path.IsAbs(dst) || path.Clean(dst) == "/" {
			return fmt.Errorf("invalid mount target %q: must be an absolute path other than /: %w", dst, errdefs.ErrInvalidArgument)
		}
		m.Destination = path.Clean(dst)
		if seen[m.Destination] {
			return fmt.Errorf("duplicate mount point %q: %w", m.Destination, errdefs.ErrInvalidArgument)
		}
		seen[m.Destination] = true
		ms = append(ms, m)
		return nil
	}
	for _, m := range o.Mounts {
		sm, err := specMount(m)
		if err != nil {
			return nil, err
		}
		if err := add(sm); err != nil {
			return nil, err
		}
	}
	targets := make([]string, 0, len(o.Tmpfs))
	for t := range o.Tmpfs {
		targets = append(targets, t)
	}
	sort.Strings(targets)
	for _, t := range targets {
		opts := []string{"nosuid", "nodev", "noexec"}
		if extra := o.Tmpfs[t]; extra != "" {
			opts = append(opts, strings.Split(extra, ",")...)
		}
		if err := add(specs.Mount{Destination: t, Type: "tmpfs", Source: "tmpfs", Options: opts}); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return depth(ms[i].Destination) < depth(ms[j].Destination) })
	return ms, nil
}

func depth(p string) int { return strings.Count(path.Clean(p), "/") }

var propagations = []string{"rprivate", "private", "rshared", "shared", "rslave", "slave"}

func specMount(m Mount) (specs.Mount, error) {
	switch m.Type {
	case "bind", "volume", "":
		if !path.IsAbs(m.Source) {
			return specs.Mount{}, fmt.Errorf("mount source %q is not an absolute path: %w", m.Source, errdefs.ErrInvalidArgument)
		}
		prop := m.Propagation
		if prop == "" {
			prop = "rprivate"
		}
		if !slices.Contains(propagations, prop) {
			return specs.Mount{}, fmt.Errorf("invalid mount propagation %q: %w", prop, errdefs.ErrInvalidArgument)
		}
		opts := []string{"rbind", prop}
		if m.ReadOnly {
			opts = append(opts, "ro")
		}
		return specs.Mount{Destination: m.Target, Type: "bind", Source: m.Source, Options: opts}, nil
	case "tmpfs":
		opts := []string{"nosuid", "nodev", "noexec"}
		if m.TmpfsSize > 0 {
			opts = append(opts, "size="+strconv.FormatInt(m.TmpfsSize, 10))
		}
		if m.TmpfsMode != 0 {
			opts = append(opts, fmt.Sprintf("mode=%o", m.TmpfsMode))
		}
		if m.ReadOnly {
			opts = append(opts, "ro")
		}
		return specs.Mount{Destination: m.Target, Type: "tmpfs", Source: "tmpfs", Options: opts}, nil
	}
	return specs.Mount{}, fmt.Errorf("mount type %q not supported: %w", m.Type, errdefs.ErrInvalidArgument)
}

// mergeMounts puts the user's mounts over the defaults: a user mount on
// the same destination replaces the default one, as in Docker.
func mergeMounts(defaults, etc, user []specs.Mount, initMount *specs.Mount) []specs.Mount {
	taken := map[string]bool{}
	for _, m := range user {
		taken[m.Destination] = true
	}
	var out []specs.Mount
	for _, group := range [][]specs.Mount{defaults, etc} {
		for _, m := range group {
			if !taken[m.Destination] {
				out = append(out, m)
			}
		}
	}
	if initMount != nil {
		out = append(out, *initMount)
	}
	return append(out, user...)
}
