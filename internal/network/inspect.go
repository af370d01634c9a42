package network

import (
	"maps"
	"net"
	"slices"
	"strings"

	mobynet "github.com/moby/moby/api/types/network"
)

// Inspect returns the network named by ref in Docker's shape, with its
// containers.
func (m *Manager) Inspect(ref string) (mobynet.Inspect, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup(ref)
	if err != nil {
		return mobynet.Inspect{}, err
	}
	out := mobynet.Inspect{Network: m.dockerNetwork(n), Containers: map[string]mobynet.EndpointResource{}}
	for _, e := range m.eps {
		if e.NetworkID != n.ID {
			continue
		}
		mac, _ := net.ParseMAC(e.MAC)
		out.Containers[e.ContainerID] = mobynet.EndpointResource{
			Name: e.Name, EndpointID: e.ID, MacAddress: mobynet.HardwareAddr(mac), IPv4Address: e.Address,
		}
	}
	return out, nil
}

// List returns every network in Docker's summary shape, sorted by name.
func (m *Manager) List() []mobynet.Summary {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]mobynet.Summary, 0, len(m.nets))
	for _, n := range m.nets {
		out = append(out, mobynet.Summary{Network: m.dockerNetwork(n)})
	}
	slices.SortFunc(out, func(a, b mobynet.Summary) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (m *Manager) dockerNetwork(n *Network) mobynet.Network {
	d := mobynet.Network{
		Name: n.Name, ID: n.ID, Created: n.Created, Scope: "local", Driver: n.Driver,
		EnableIPv4: n.Driver == "bridge", Internal: n.Internal,
		IPAM:    mobynet.IPAM{Driver: "default", Options: map[string]string{}, Config: []mobynet.IPAMConfig{}},
		Options: maps.Clone(n.Options), Labels: maps.Clone(n.Labels),
	}
	if d.Options == nil {
		d.Options = map[string]string{}
	}
	if d.Labels == nil {
		d.Labels = map[string]string{}
	}
	if n.Subnet.IsValid() {
		d.IPAM.Config = append(d.IPAM.Config, mobynet.IPAMConfig{Subnet: n.Subnet, IPRange: n.IPRange, Gateway: n.Gateway})
	}
	return d
}
