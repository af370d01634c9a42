package network

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/network/ipam"
	"github.com/berthproject/berth/internal/network/link"
	"github.com/containerd/errdefs"
)

// CreateOptions describe a new network, as `docker network create` does.
type CreateOptions struct {
	Name     string
	Driver   string // "" or "bridge"
	Subnet   netip.Prefix
	IPRange  netip.Prefix
	Gateway  netip.Addr
	Internal bool
	// EnableIPv6 is refused: berth's networks are IPv4 only.
	EnableIPv6 bool
	Labels     map[string]string
	// Options: com.docker.network.bridge.name and
	// com.docker.network.driver.mtu are honoured; others are kept.
	Options map[string]string
}

var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// Create makes a bridge network: its record, its bridge with the gateway
// address, and its rules. Bad input leaves nothing behind.
func (m *Manager) Create(ctx context.Context, o CreateOptions) (*Network, error) {
	if !validName.MatchString(o.Name) {
		return nil, fmt.Errorf("invalid network name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed: %w", o.Name, errdefs.ErrInvalidArgument)
	}
	if o.Driver != "" && o.Driver != "bridge" {
		return nil, fmt.Errorf("network driver %q: only the bridge driver is supported: %w", o.Driver, errdefs.ErrNotFound)
	}
	if o.EnableIPv6 {
		return nil, fmt.Errorf("network %s: IPv6 networks are not supported: %w", o.Name, errdefs.ErrInvalidArgument)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.lookup(o.Name); err == nil || o.Name == HostNetwork || o.Name == NoneNetwork {
		return nil, fmt.Errorf("network with name %s already exists: %w", o.Name, errdefs.ErrConflict)
	}
	n := &Network{ID: newID(), Name: o.Name, Driver: "bridge", Internal: o.Internal, Labels: o.Labels,
		Options: o.Options, Created: time.Now().UTC()}
	if err := m.configure(n, o); err != nil {
		return nil, err
	}
	if err := m.createBridge(ctx, n); err != nil {
		return nil, err
	}
	return clone(n), nil
}

// configure validates and fills bridge name, MTU, subnet, range and gateway.
func (m *Manager) configure(n *Network, o CreateOptions) error {
	n.Bridge = o.Options[OptionBridgeName]
	if n.Bridge == "" {
		n.Bridge = "br-" + n.ID[:12]
	}
	if len(n.Bridge) > 15 || strings.ContainsAny(n.Bridge, "/ \t") {
		return fmt.Errorf("bridge name %q: at most 15 characters, no '/' or spaces: %w", n.Bridge, errdefs.ErrInvalidArgument)
	}
	for _, other := range m.nets {
		if other.Bridge == n.Bridge {
			return fmt.Errorf("bridge name %s is used by network %s: %w", n.Bridge, other.Name, errdefs.ErrConflict)
		}
	}
	if link.Exists(n.Bridge) {
		return fmt.Errorf("interface %s already exists on the host: %w", n.Bridge, errdefs.ErrConflict)
	}
	if v, ok := o.Options[OptionMTU]; ok {
		mtu, err := strconv.Atoi(v)
		if err != nil || mtu < 68 || mtu > 65535 {
			return fmt.Errorf("option %s=%q: not an MTU (68-65535): %w", OptionMTU, v, errdefs.ErrInvalidArgument)
		}
		n.MTU = mtu
	}
	used, err := m.usedPrefixes()
	if err != nil {
		return err
	}
	subnet := o.Subnet
	if !subnet.IsValid() {
		if o.IPRange.IsValid() || o.Gateway.IsValid() {
			return fmt.Errorf("--ip-range and --gateway need --subnet: %w", errdefs.ErrInvalidArgument)
		}
		if subnet, err = ipam.ChooseSubnet(ipam.DefaultPools, used); err != nil {
			return err
		}
	} else {
		for _, u := range used {
			if u.Overlaps(subnet) {
				return fmt.Errorf("subnet %s overlaps %s, already in use by a network or a host route: %w", subnet, u, errdefs.ErrConflict)
			}
		}
	}
	p, err := ipam.NewPool(subnet, o.IPRange, o.Gateway)
	if err != nil {
		return err
	}
	n.Subnet, n.IPRange, n.Gateway = p.Subnet, o.IPRange, p.Gateway
	m.pools[n.ID] = p
	return nil
}

// createBridge makes the bridge and saves the record, undoing on failure.
func (m *Manager) createBridge(ctx context.Context, n *Network) error {
	undo := func() {
		delete(m.nets, n.ID)
		delete(m.pools, n.ID)
		_ = link.DeleteBridge(n.Bridge)
	}
	if err := link.EnsureBridge(n.Bridge, netip.PrefixFrom(n.Gateway, n.Subnet.Bits()), n.MTU); err != nil {
		undo()
		return fmt.Errorf("network %s: %w", n.Name, err)
	}
	m.nets[n.ID] = n
	if !n.Internal {
		if err := link.EnableForwarding(); err != nil {
			undo()
			return err
		}
	}
	if err := m.applyRules(); err != nil {
		undo()
		_ = m.applyRules()
		return err
	}
	if err := m.putRecord(ctx, "network/"+n.ID, n); err != nil {
		undo()
		_ = m.applyRules()
		return err
	}
	m.publish()
	return nil
}

// usedPrefixes: the subnets of existing networks and the host's routes
// (default routes aside), which a new subnet must not overlap.
func (m *Manager) usedPrefixes() ([]netip.Prefix, error) {
	var used []netip.Prefix
	for _, n := range m.nets {
		if n.Subnet.IsValid() {
			used = append(used, n.Subnet)
		}
	}
	routes, err := link.Routes()
	if err != nil {
		return nil, fmt.Errorf("list host routes: %w", err)
	}
	for _, r := range routes {
		if r.Dst == nil {
			continue
		}
		ones, _ := r.Dst.Mask.Size()
		a, ok := netip.AddrFromSlice(r.Dst.IP.To4())
		if ok && ones > 0 {
			used = append(used, netip.PrefixFrom(a, ones).Masked())
		}
	}
	return used, nil
}

// ensurePredefined creates bridge, host and none if absent.
func (m *Manager) ensurePredefined(ctx context.Context) error {
	for _, pre := range []struct{ name, driver string }{{HostNetwork, "host"}, {NoneNetwork, "null"}} {
		if _, err := m.lookup(pre.name); err == nil {
			continue
		}
		n := &Network{ID: newID(), Name: pre.name, Driver: pre.driver, Created: time.Now().UTC()}
		if err := m.putRecord(ctx, "network/"+n.ID, n); err != nil {
			return err
		}
		m.nets[n.ID] = n
	}
	if _, err := m.lookup(DefaultNetwork); err == nil || m.cfg.NoDefaultNetwork {
		return nil
	}
	opts := map[string]string{OptionBridgeName: m.cfg.DefaultBridge, OptionDefaultBridge: "true"}
	n := &Network{ID: newID(), Name: DefaultNetwork, Driver: "bridge", Options: opts, Created: time.Now().UTC()}
	if link.Exists(m.cfg.DefaultBridge) {
		// A bridge left by an earlier berth: adopt it, not a conflict.
		_ = link.DeleteBridge(m.cfg.DefaultBridge)
	}
	if err := m.configure(n, CreateOptions{Subnet: m.cfg.DefaultSubnet, Options: opts}); err != nil {
		return fmt.Errorf("default network: %w", err)
	}
	return m.createBridge(ctx, n)
}

// lookup finds a network by name, full ID or unique ID prefix (Docker's rules).
func (m *Manager) lookup(ref string) (*Network, error) {
	if ref == "" {
		return nil, fmt.Errorf("network name is empty: %w", errdefs.ErrInvalidArgument)
	}
	for _, n := range m.nets {
		if n.Name == ref || n.ID == ref {
			return n, nil
		}
	}
	var found []*Network
	for _, n := range m.nets {
		if strings.HasPrefix(n.ID, ref) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("network %s not found: %w", ref, errdefs.ErrNotFound)
	default:
		return nil, fmt.Errorf("network %s is ambiguous (%d matches): %w", ref, len(found), errdefs.ErrInvalidArgument)
	}
}

// Get returns a copy of the network named by ref (name, ID or ID prefix).
func (m *Manager) Get(ref string) (*Network, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup(ref)
	if err != nil {
		return nil, err
	}
	return clone(n), nil
}

// Remove deletes a network with no endpoints: its bridge, rules and record.
func (m *Manager) Remove(ctx context.Context, ref string) error {
	// Detached endpoints' veths go first, so that nothing of the network
	// is left when Remove returns.
	if err := m.Settle(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup(ref)
	if err != nil {
		return err
	}
	return m.remove(ctx, n)
}

func (m *Manager) remove(ctx context.Context, n *Network) error {
	if n.Name == DefaultNetwork || n.Driver != "bridge" {
		return fmt.Errorf("%s is a pre-defined network and cannot be removed: %w", n.Name, errdefs.ErrPermissionDenied)
	}
	var users []string
	for _, e := range m.eps {
		if e.NetworkID == n.ID {
			users = append(users, e.Name)
		}
	}
	if len(users) > 0 {
		slices.Sort(users)
		return fmt.Errorf("network %s has active endpoints (%s): %w", n.Name, strings.Join(users, ", "), errdefs.ErrConflict)
	}
	if err := m.cfg.Store.Delete(ctx, "network/"+n.ID); err != nil {
		return fmt.Errorf("network %s: %w", n.Name, err)
	}
	delete(m.nets, n.ID)
	delete(m.pools, n.ID)
	m.publish()
	rerr := m.applyRules()
	if err := link.DeleteBridge(n.Bridge); err != nil {
		return err
	}
	return rerr
}

// Prune removes the user-defined networks without endpoints that match
// (nil matches all) and returns their names.
func (m *Manager) Prune(ctx context.Context, match func(*Network) bool) ([]string, error) {
	if err := m.Settle(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	busy := map[string]bool{}
	for _, e := range m.eps {
		busy[e.NetworkID] = true
	}
	var removed []string
	for _, id := range slices.Sorted(maps.Keys(m.nets)) {
		n := m.nets[id]
		if n.Driver != "bridge" || n.Name == DefaultNetwork || busy[id] || (match != nil && !match(clone(n))) {
			continue
		}
		if err := m.remove(ctx, n); err != nil {
			return removed, err
		}
		removed = append(removed, n.Name)
	}
	return removed, nil
}

func clone(n *Network) *Network {
	c := *n
	c.Labels = maps.Clone(n.Labels)
	c.Options = maps.Clone(n.Options)
	return &c
}
