package runtime

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

var capByName = func() map[string]capability.Cap {
	m := map[string]capability.Cap{}
	for _, c := range capability.ListKnown() {
		m["CAP_"+strings.ToUpper(c.String())] = c
	}
	return m
}()

// capSets are the five sets of process.capabilities, resolved.
type capSets struct {
	bounding, effective, permitted, inheritable, ambient []capability.Cap
}

func parseCaps(c *specs.LinuxCapabilities) (*capSets, error) {
	if c == nil {
		return &capSets{}, nil
	}
	last, err := capability.LastCap()
	if err != nil {
		return nil, err
	}
	conv := func(set string, names []string) ([]capability.Cap, error) {
		var out []capability.Cap
		for _, n := range names {
			cp, ok := capByName[strings.ToUpper(n)]
			if !ok {
				return nil, fmt.Errorf("capabilities.%s: unknown capability %q", set, n)
			}
			if cp > last {
				// Newer than this kernel: runc skips it too.
				slog.Warn("capability not supported by the kernel, ignored", "capability", n)
				continue
			}
			out = append(out, cp)
		}
		return out, nil
	}
	var s capSets
	for _, x := range []struct {
		name  string
		names []string
		dst   *[]capability.Cap
	}{
		{"bounding", c.Bounding, &s.bounding},
		{"effective", c.Effective, &s.effective},
		{"permitted", c.Permitted, &s.permitted},
		{"inheritable", c.Inheritable, &s.inheritable},
		{"ambient", c.Ambient, &s.ambient},
	} {
		if *x.dst, err = conv(x.name, x.names); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

// dropBounding must run while still root with CAP_SETPCAP.
func (s *capSets) dropBounding() error {
	caps, err := capability.NewPid2(0)
	if err != nil {
		return err
	}
	if err := caps.Load(); err != nil {
		return err
	}
	caps.Clear(capability.BOUNDS)
	caps.Set(capability.BOUNDING, s.bounding...)
	if err := caps.Apply(capability.BOUNDS); err != nil {
		return fmt.Errorf("drop bounding capabilities: %w", err)
	}
	return nil
}

// apply sets the other four sets on the calling thread (after setuid, with
// PR_SET_KEEPCAPS held so that permitted survived).
func (s *capSets) apply() error {
	caps, err := capability.NewPid2(0)
	if err != nil {
		return err
	}
	if err := caps.Load(); err != nil {
		return err
	}
	caps.Clear(capability.CAPS | capability.AMBS)
	caps.Set(capability.EFFECTIVE, s.effective...)
	caps.Set(capability.PERMITTED, s.permitted...)
	caps.Set(capability.INHERITABLE, s.inheritable...)
	caps.Set(capability.AMBIENT, s.ambient...)
	if err := caps.Apply(capability.CAPS | capability.AMBS); err != nil {
		return fmt.Errorf("set capabilities: %w", err)
	}
	return nil
}
