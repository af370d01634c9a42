package cgroups

import (
	"fmt"
	"strings"

	"github.com/containerd/errdefs"
	devconfig "github.com/opencontainers/cgroups/devices/config"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// defaultDeviceRules are appended after the spec's rules, as runc does:
// the runtime always creates these nodes in the container's /dev (the OCI
// spec requires them), so they must stay usable even under a "deny all"
// rule. mknod of any node is allowed because creating a node grants nothing
// without read/write access to it.
var defaultDeviceRules = []devconfig.Rule{
	{Type: devconfig.CharDevice, Major: devconfig.Wildcard, Minor: devconfig.Wildcard, Permissions: "m", Allow: true},
	{Type: devconfig.BlockDevice, Major: devconfig.Wildcard, Minor: devconfig.Wildcard, Permissions: "m", Allow: true},
	{Type: devconfig.CharDevice, Major: 1, Minor: 3, Permissions: "rwm", Allow: true},                    // /dev/null
	{Type: devconfig.CharDevice, Major: 1, Minor: 5, Permissions: "rwm", Allow: true},                    // /dev/zero
	{Type: devconfig.CharDevice, Major: 1, Minor: 7, Permissions: "rwm", Allow: true},                    // /dev/full
	{Type: devconfig.CharDevice, Major: 1, Minor: 8, Permissions: "rwm", Allow: true},                    // /dev/random
	{Type: devconfig.CharDevice, Major: 1, Minor: 9, Permissions: "rwm", Allow: true},                    // /dev/urandom
	{Type: devconfig.CharDevice, Major: 5, Minor: 0, Permissions: "rwm", Allow: true},                    // /dev/tty
	{Type: devconfig.CharDevice, Major: 5, Minor: 1, Permissions: "rwm", Allow: true},                    // /dev/console
	{Type: devconfig.CharDevice, Major: 5, Minor: 2, Permissions: "rwm", Allow: true},                    // /dev/ptmx
	{Type: devconfig.CharDevice, Major: 136, Minor: devconfig.Wildcard, Permissions: "rwm", Allow: true}, // /dev/pts/*
}

// toDeviceRules converts the spec's device cgroup list, then appends the
// default rules. Order matters: later rules override earlier ones.
func toDeviceRules(in []specs.LinuxDeviceCgroup) ([]*devconfig.Rule, error) {
	out := make([]*devconfig.Rule, 0, len(in)+len(defaultDeviceRules))
	for i, d := range in {
		r, err := toDeviceRule(d)
		if err != nil {
			return nil, fmt.Errorf("device cgroup rule %d: %w", i, err)
		}
		out = append(out, r)
	}
	for _, r := range defaultDeviceRules {
		out = append(out, &r)
	}
	return out, nil
}

func toDeviceRule(d specs.LinuxDeviceCgroup) (*devconfig.Rule, error) {
	r := &devconfig.Rule{Major: devconfig.Wildcard, Minor: devconfig.Wildcard, Allow: d.Allow}
	switch d.Type {
	case "", "a":
		r.Type = devconfig.WildcardDevice
	case "b":
		r.Type = devconfig.BlockDevice
	case "c":
		r.Type = devconfig.CharDevice
	default:
		return nil, fmt.Errorf("type %q: must be a, b or c: %w", d.Type, errdefs.ErrInvalidArgument)
	}
	if d.Major != nil {
		r.Major = *d.Major
	}
	if d.Minor != nil {
		r.Minor = *d.Minor
	}
	if r.Major < devconfig.Wildcard || r.Minor < devconfig.Wildcard {
		return nil, fmt.Errorf("device number %d:%d is negative: %w", r.Major, r.Minor, errdefs.ErrInvalidArgument)
	}
	// An omitted access means every access, so that {"allow": false} denies
	// everything rather than nothing.
	access := d.Access
	if access == "" {
		access = "rwm"
	}
	if strings.Trim(access, "rwm") != "" {
		return nil, fmt.Errorf("access %q: must combine r, w and m: %w", d.Access, errdefs.ErrInvalidArgument)
	}
	r.Permissions = devconfig.Permissions(access)
	return r, nil
}

// DeviceRulesFor returns the rules that grant full access to devices the
// runtime creates from spec.linux.devices; the runtime appends them to the
// resources' device list before New, as runc does, so a listed device works
// even when the spec's rules deny all.
func DeviceRulesFor(devs []specs.LinuxDevice) []specs.LinuxDeviceCgroup {
	var out []specs.LinuxDeviceCgroup
	for _, d := range devs {
		typ := d.Type
		if typ == "u" {
			typ = "c" // unbuffered char device
		}
		if typ != "b" && typ != "c" {
			continue // fifos are not subject to the device cgroup
		}
		out = append(out, specs.LinuxDeviceCgroup{Allow: true, Type: typ, Major: copyPtr(&d.Major), Minor: copyPtr(&d.Minor), Access: "rwm"})
	}
	return out
}
