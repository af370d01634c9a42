package oci

import (
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/moby/sys/capability"
)

// DefaultCapabilities is Docker's default capability set.
var DefaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// allCapabilities lists every capability the host library knows.
func allCapabilities() []string {
	var out []string
	for _, c := range capability.ListKnown() {
		out = append(out, "CAP_"+strings.ToUpper(c.String()))
	}
	return out
}

// GrantableCapabilities is "every capability" as --privileged and
// --cap-add ALL mean it: those the daemon's own bounding set holds, as
// Docker does. Asking for one the daemon lacks (CAP_SYS_RESOURCE on some
// hosts) would make the container's start fail.
func GrantableCapabilities() []string {
	last, _ := capability.LastCap()
	bounding, err := capability.NewPid2(0)
	if err == nil {
		err = bounding.Load()
	}
	var out []string
	for _, c := range capability.ListKnown() {
		if c <= last && (err != nil || bounding.Get(capability.BOUNDING, c)) {
			out = append(out, "CAP_"+strings.ToUpper(c.String()))
		}
	}
	return out
}

// normalizeCap turns "net_admin", "NET_ADMIN" or "cap_net_admin" into
// "CAP_NET_ADMIN"; "all" into "ALL".
func normalizeCap(name string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(name))
	if c == "ALL" {
		return c, nil
	}
	if !strings.HasPrefix(c, "CAP_") {
		c = "CAP_" + c
	}
	if !slices.Contains(allCapabilities(), c) {
		return "", fmt.Errorf("unknown capability %q: %w", name, errdefs.ErrInvalidArgument)
	}
	return c, nil
}

// capabilities applies --cap-add and --cap-drop to the default set (or to
// every capability when privileged) as Docker does: ALL in --cap-add
// starts from every capability, ALL in --cap-drop from none; drops win
// over adds of the same name.
func capabilities(privileged bool, add, drop []string) ([]string, error) {
	norm := func(in []string) ([]string, error) {
		out := make([]string, 0, len(in))
		for _, n := range in {
			c, err := normalizeCap(n)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, nil
	}
	adds, err := norm(add)
	if err != nil {
		return nil, err
	}
	drops, err := norm(drop)
	if err != nil {
		return nil, err
	}
	var base []string
	switch {
	case privileged || slices.Contains(adds, "ALL"):
		base = GrantableCapabilities()
	case slices.Contains(drops, "ALL"):
		base = nil
	default:
		base = slices.Clone(DefaultCapabilities)
	}
	for _, c := range adds {
		if c != "ALL" && !slices.Contains(base, c) {
			base = append(base, c)
		}
	}
	if privileged {
		return base, nil
	}
	return slices.DeleteFunc(base, func(c string) bool {
		return slices.Contains(drops, c) && !(slices.Contains(drops, "ALL") && slices.Contains(adds, c))
	}), nil
}
