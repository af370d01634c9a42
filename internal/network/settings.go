package network

import (
	"net"
	"net/netip"
	"slices"
	"strconv"

	mobynet "github.com/moby/moby/api/types/network"
)

// Settings is the endpoint in Docker's shape, for a container's
// NetworkSettings.Networks[name] in `inspect`. DNSNames are the names the
// embedded DNS answers for it (none on the default bridge), as Docker lists.
func (e *Endpoint) Settings(n *Network) *mobynet.EndpointSettings {
	mac, _ := net.ParseMAC(e.MAC)
	s := &mobynet.EndpointSettings{
		Aliases:     slices.Clone(e.Aliases),
		NetworkID:   e.NetworkID,
		EndpointID:  e.ID,
		Gateway:     n.Gateway,
		IPAddress:   e.IP(),
		IPPrefixLen: e.Address.Bits(),
		MacAddress:  mobynet.HardwareAddr(mac),
	}
	if e.RequestedIP {
		s.IPAMConfig = &mobynet.EndpointIPAMConfig{IPv4Address: e.IP()}
	}
	if !n.IsDefault() {
		s.DNSNames = append([]string{e.Name}, e.Aliases...)
		if len(e.ContainerID) >= 12 {
			s.DNSNames = append(s.DNSNames, e.ContainerID[:12])
		}
	}
	return s
}

// PortMap is the endpoint's published ports in Docker's shape
// (NetworkSettings.Ports, `berth port`): the host address is 0.0.0.0 when
// the port is published on every address.
func (e *Endpoint) PortMap() mobynet.PortMap {
	pm := mobynet.PortMap{}
	for _, m := range e.Ports {
		p, ok := mobynet.PortFrom(m.ContainerPort, mobynet.IPProtocol(m.Proto))
		if !ok {
			continue
		}
		ip := m.HostIP
		if !ip.IsValid() {
			ip = netip.IPv4Unspecified()
		}
		pm[p] = append(pm[p], mobynet.PortBinding{HostIP: ip, HostPort: strconv.Itoa(int(m.HostPort))})
	}
	return pm
}
