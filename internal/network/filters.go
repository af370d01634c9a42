package network

import (
	"fmt"
	"strings"

	"github.com/berthproject/berth/internal/labelfilter"
	"github.com/berthproject/berth/internal/network/link"
	"github.com/berthproject/berth/internal/timestamp"
	"github.com/containerd/errdefs"
	mobynet "github.com/moby/moby/api/types/network"
)

// Predefined reports whether n is one of the networks berth makes itself
// (bridge, host, none), Docker's "builtin" type.
func (n *Network) Predefined() bool {
	return n.Name == DefaultNetwork || n.Driver != "bridge"
}

// Busy reports whether any container has an endpoint, so that a daemon
// stopping can tell whether its kernel state must stay for running
// containers (live restore) or may go with Teardown.
func (m *Manager) Busy() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.eps) > 0
}

// ListFilters are the keys `network ls --filter` takes, as Docker's.
var ListFilters = []string{"driver", "id", "label", "name", "scope", "type", "dangling"}

// PruneFilters are the keys `network prune --filter` takes.
var PruneFilters = []string{"label", "label!", "until"}

// Filtered returns the networks matching Docker's list filters: every key
// must match, and within a key any value (label!= and until are "all").
func (m *Manager) Filtered(filters map[string][]string) ([]mobynet.Summary, error) {
	if err := checkFilterValues(filters); err != nil {
		return nil, err
	}
	m.mu.Lock()
	busy := map[string]bool{}
	for _, e := range m.eps {
		busy[e.NetworkID] = true
	}
	m.mu.Unlock()
	var out []mobynet.Summary
	for _, s := range m.List() {
		n, err := m.Get(s.ID)
		if err != nil {
			continue // removed meanwhile
		}
		if Match(n, busy[n.ID], filters) {
			out = append(out, s)
		}
	}
	return out, nil
}

// PruneMatch is the predicate of `network prune --filter`.
func PruneMatch(filters map[string][]string) (func(*Network) bool, error) {
	if err := checkFilterValues(filters); err != nil {
		return nil, err
	}
	return func(n *Network) bool { return Match(n, false, filters) }, nil
}

func checkFilterValues(filters map[string][]string) error {
	for _, v := range filters["until"] {
		if _, err := timestamp.Filter("until", v); err != nil {
			return err
		}
	}
	for _, v := range filters["type"] {
		if v != "custom" && v != "builtin" {
			return fmt.Errorf("invalid filter 'type=%s': want custom or builtin: %w", v, errdefs.ErrInvalidArgument)
		}
	}
	for _, v := range filters["dangling"] {
		if v != "true" && v != "false" && v != "1" && v != "0" {
			return fmt.Errorf("invalid filter 'dangling=%s': want true or false: %w", v, errdefs.ErrInvalidArgument)
		}
	}
	return nil
}

// Match reports whether n (busy: it has endpoints) passes the filters.
func Match(n *Network, busy bool, filters map[string][]string) bool {
	anyOf := func(key string, f func(string) bool) bool {
		vs, ok := filters[key]
		if !ok {
			return true
		}
		for _, v := range vs {
			if f(v) {
				return true
			}
		}
		return false
	}
	if !labelfilter.Match(filters["label"], n.Labels) || !labelfilter.MatchNone(filters["label!"], n.Labels) {
		return false
	}
	for _, v := range filters["until"] {
		if t, _ := timestamp.Filter("until", v); !n.Created.Before(t) {
			return false
		}
	}
	return anyOf("driver", func(v string) bool { return n.Driver == v }) &&
		anyOf("id", func(v string) bool { return strings.HasPrefix(n.ID, v) }) &&
		anyOf("name", func(v string) bool { return strings.Contains(n.Name, v) }) &&
		anyOf("scope", func(v string) bool { return v == "local" }) &&
		anyOf("type", func(v string) bool { return (v == "builtin") == n.Predefined() }) &&
		anyOf("dangling", func(v string) bool { return (v == "true" || v == "1") == (!busy && !n.Predefined()) })
}

// Shared reports whether a bridge of this Manager has ports it did not
// make: another daemon uses the same bridge name (a misconfiguration, but
// one a shutdown must not punish by removing that daemon's bridge).
// Call it after Close, when this Manager's own veths are gone.
func (m *Manager) Shared() bool {
	m.mu.Lock()
	var bridges []string
	for _, n := range m.nets {
		if n.Driver == "bridge" {
			bridges = append(bridges, n.Bridge)
		}
	}
	m.mu.Unlock()
	for _, b := range bridges {
		if ports, err := link.Ports(b); err != nil || len(ports) > 0 {
			return true
		}
	}
	return false
}
