package container

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"

	"github.com/berthproject/berth/internal/network"
	"github.com/berthproject/berth/internal/network/etcfiles"
	"github.com/berthproject/berth/internal/network/portspec"
	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
)

// Networks is what the service needs from the network service
// (internal/network.Manager): endpoints on bridge networks for containers
// whose network mode names one.
type Networks interface {
	Get(ref string) (*network.Network, error)
	Attach(ctx context.Context, ref string, o network.EndpointOptions) (*network.Endpoint, error)
	DetachAll(ctx context.Context, containerID string) error
	Endpoints(containerID string) []network.Endpoint
}

// bridgeNetwork is the network a container's mode attaches it to, or ""
// when it has no endpoint (none, host, container:X, or default/bridge
// while berth runs without a network service: a namespace of its own
// with loopback only).
func (s *Service) bridgeNetwork(hc *containertypes.HostConfig) string {
	switch nm := hc.NetworkMode; {
	case nm == "none", nm.IsHost(), nm.IsContainer():
		return ""
	case s.cfg.Networks == nil:
		return ""
	case nm == "" || nm == "default":
		return network.DefaultNetwork
	default:
		return string(nm)
	}
}

// checkNetwork rejects a network mode naming a network that does not exist.
func (s *Service) checkNetwork(hc *containertypes.HostConfig) error {
	n := s.bridgeNetwork(hc)
	if n == "" {
		switch nm := hc.NetworkMode; {
		case nm == "", nm == "default", nm == "bridge", nm == "none", nm.IsHost(), nm.IsContainer():
			return nil
		}
		return fmt.Errorf("network %s not found: %w", hc.NetworkMode, errdefs.ErrNotFound)
	}
	_, err := s.cfg.Networks.Get(n)
	return err
}

// attachNetwork connects the created container (its init is pid) to its
// network and rewrites its /etc/hosts and /etc/resolv.conf for it.
func (s *Service) attachNetwork(ctx context.Context, c *Container, pid int) error {
	name := s.bridgeNetwork(c.HostConfig)
	if name == "" {
		return nil
	}
	ports, err := publishedMappings(c)
	if err != nil {
		return err
	}
	netns := "/proc/" + strconv.Itoa(pid) + "/ns/net"
	es := c.Endpoints[name]
	if es == nil && name == network.DefaultNetwork {
		// The docker CLI without --network keys the settings (a
		// --mac-address, say) by the mode's name, "default".
		es = c.Endpoints["default"]
	}
	ep, err := s.cfg.Networks.Attach(ctx, name, endpointOptions(c, netns, es, ports))
	if err != nil {
		return fmt.Errorf("attach to network %s: %w", name, err)
	}
	// The other networks of NetworkingConfig (API 1.44+ allows several).
	for other, es := range c.Endpoints {
		if other == name || (name == network.DefaultNetwork && other == "default") {
			continue
		}
		if _, err := s.cfg.Networks.Attach(ctx, other, endpointOptions(c, netns, es, nil)); err != nil {
			return fmt.Errorf("attach to network %s: %w", other, err)
		}
	}
	var extra []etcfiles.HostEntry
	for _, h := range c.HostConfig.ExtraHosts {
		e, err := etcfiles.ParseAddHost(h)
		if err != nil {
			return err
		}
		extra = append(extra, e)
	}
	b := s.bundle(c.ID)
	hosts := etcfiles.Hosts(etcfiles.HostsOptions{Hostname: c.Config.Hostname, Domainname: c.Config.Domainname, IPs: []netip.Addr{ep.IP()}, Extra: extra})
	hostResolv, _ := os.ReadFile("/etc/resolv.conf")
	resolv := etcfiles.ResolvConf(hostResolv, etcfiles.DNSOptions{Servers: c.HostConfig.DNS, Search: c.HostConfig.DNSSearch, Options: c.HostConfig.DNSOptions}, name != network.DefaultNetwork)
	// Written in place: the files are bind-mounted already.
	for f, data := range map[string][]byte{"hosts": hosts, "resolv.conf": resolv} {
		if err := os.WriteFile(filepath.Join(b, f), data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f, err)
		}
	}
	return nil
}

// endpointOptions are the network service's options for one network.
func endpointOptions(c *Container, netns string, es *mobynet.EndpointSettings, ports []portspec.Mapping) network.EndpointOptions {
	o := network.EndpointOptions{ContainerID: c.ID, Name: c.Name, NetNSPath: netns, Ports: ports, DNS: c.HostConfig.DNS}
	if es != nil {
		o.Aliases = es.Aliases
		if es.IPAMConfig != nil {
			o.IP = es.IPAMConfig.IPv4Address
		}
		if len(es.MacAddress) > 0 {
			o.MAC = []byte(es.MacAddress)
		}
	}
	return o
}

// detachNetwork removes the container's endpoints.
func (s *Service) detachNetwork(ctx context.Context, id string) {
	if s.cfg.Networks == nil {
		return
	}
	if err := s.cfg.Networks.DetachAll(ctx, id); err != nil {
		s.cfg.Logger.Warn("detach networks", "id", id, "err", err)
	}
}

// networkSettings is inspect's NetworkSettings.
func (s *Service) networkSettings(c *Container) *containertypes.NetworkSettings {
	ns := &containertypes.NetworkSettings{SandboxKey: sandboxKey(c), Ports: mobynet.PortMap{}, Networks: map[string]*mobynet.EndpointSettings{}}
	if s.cfg.Networks == nil || !c.State.running() {
		return ns
	}
	for _, ep := range s.cfg.Networks.Endpoints(c.ID) {
		n, err := s.cfg.Networks.Get(ep.NetworkID)
		if err != nil {
			continue
		}
		ns.Networks[n.Name] = ep.Settings(n)
		for p, b := range ep.PortMap() {
			ns.Ports[p] = append(ns.Ports[p], b...)
		}
	}
	return ns
}

// portMappings turns -p bindings into the network service's mappings.
func portMappings(pm mobynet.PortMap) ([]portspec.Mapping, error) {
	var out []portspec.Mapping
	for p, bindings := range pm {
		for _, b := range bindings {
			spec := p.String()
			if b.HostPort != "" {
				spec = b.HostPort + ":" + spec
			}
			if b.HostIP.IsValid() && !b.HostIP.IsUnspecified() {
				host := b.HostIP.String()
				if b.HostIP.Is6() {
					host = "[" + host + "]"
				}
				if b.HostPort == "" {
					spec = ":" + spec
				}
				spec = host + ":" + spec
			}
			ms, err := portspec.Parse(spec)
			if err != nil {
				return nil, err
			}
			out = append(out, ms...)
		}
	}
	return out, nil
}

// Running reports whether container id has a live process (for the
// network service's Reconcile at daemon start).
func (s *Service) Running(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	return ok && e.c.State.running()
}
