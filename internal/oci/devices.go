package oci

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// devices makes each --device a node in the container and a cgroup rule.
func devices(ds []Device) ([]specs.LinuxDevice, []specs.LinuxDeviceCgroup, error) {
	var nodes []specs.LinuxDevice
	var rules []specs.LinuxDeviceCgroup
	for _, d := range ds {
		node, err := deviceFromHost(d.PathOnHost)
		if err != nil {
			return nil, nil, err
		}
		if d.PathInContainer != "" {
			if !path.IsAbs(d.PathInContainer) {
				return nil, nil, fmt.Errorf("device path %q in container is not absolute: %w", d.PathInContainer, errdefs.ErrInvalidArgument)
			}
			node.Path = path.Clean(d.PathInContainer)
		}
		perms := d.CgroupPermissions
		if perms == "" {
			perms = "rwm"
		}
		if strings.Trim(perms, "rwm") != "" {
			return nil, nil, fmt.Errorf("device %s: invalid permissions %q: %w", d.PathOnHost, perms, errdefs.ErrInvalidArgument)
		}
		nodes = append(nodes, node)
		rules = append(rules, specs.LinuxDeviceCgroup{Allow: true, Type: node.Type, Major: ptr(node.Major), Minor: ptr(node.Minor), Access: perms})
	}
	return nodes, rules, nil
}

func deviceFromHost(p string) (specs.LinuxDevice, error) {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return specs.LinuxDevice{}, fmt.Errorf("device %s: %w: %w", p, err, errdefs.ErrInvalidArgument)
	}
	var typ string
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		typ = "c"
	case unix.S_IFBLK:
		typ = "b"
	default:
		return specs.LinuxDevice{}, fmt.Errorf("%s is not a device node: %w", p, errdefs.ErrInvalidArgument)
	}
	mode := os.FileMode(st.Mode & 0o777)
	return specs.LinuxDevice{
		Path: p, Type: typ,
		Major: int64(unix.Major(uint64(st.Rdev))), Minor: int64(unix.Minor(uint64(st.Rdev))),
		FileMode: &mode, UID: ptr(uint32(0)), GID: ptr(uint32(0)),
	}, nil
}

// hostDevices lists the device nodes of the host's /dev, which a
// privileged container gets, as in Docker (without /dev/pts, /dev/shm,
// /dev/mqueue and /dev/console, which the container has of its own).
func hostDevices() ([]specs.LinuxDevice, error) {
	var out []specs.LinuxDevice
	err := filepath.WalkDir("/dev", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a device that vanished meanwhile is no error
		}
		if d.IsDir() {
			switch p {
			case "/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/fd", "/dev/.lxc", "/dev/.udev":
				return filepath.SkipDir
			}
			return nil
		}
		if p == "/dev/console" || d.Type()&(fs.ModeDevice|fs.ModeCharDevice) == 0 {
			return nil
		}
		dev, err := deviceFromHost(p)
		if err == nil {
			out = append(out, dev)
		}
		return nil
	})
	return out, err
}
