package oci

import (
	"fmt"
	"os"
	"path"
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
