package network

import (
	"net"
	"net/netip"
	"time"

	"github.com/berthproject/berth/internal/network/portspec"
)

// Names of the predefined networks, as Docker's.
const (
	DefaultNetwork = "bridge"
	HostNetwork    = "host"
	NoneNetwork    = "none"
)

// Docker's network options that berth reads.
const (
	OptionBridgeName    = "com.docker.network.bridge.name"
	OptionMTU           = "com.docker.network.driver.mtu"
	OptionDefaultBridge = "com.docker.network.bridge.default_bridge"
)

// Network is a network's persisted record.
type Network struct {
	ID       string            `json:"ID"`
	Name     string            `json:"Name"`
	Driver   string            `json:"Driver"` // bridge, host or null
	Bridge   string            `json:"Bridge,omitempty"`
	Subnet   netip.Prefix      `json:"Subnet,omitzero"`
	IPRange  netip.Prefix      `json:"IPRange,omitzero"`
	Gateway  netip.Addr        `json:"Gateway,omitzero"`
	Internal bool              `json:"Internal,omitempty"`
	MTU      int               `json:"MTU,omitempty"`
	Labels   map[string]string `json:"Labels,omitempty"`
	Options  map[string]string `json:"Options,omitempty"`
	Created  time.Time         `json:"Created"`
	// NextIP is the IPAM cursor, so that released addresses are not
	// reused at once, across restarts too.
	NextIP netip.Addr `json:"NextIP,omitzero"`
}

// IsDefault reports whether n is the default bridge network, where
// containers get no names, aliases or embedded DNS (as Docker's).
func (n *Network) IsDefault() bool { return n.Name == DefaultNetwork }

// EndpointOptions connect a container to a network.
type EndpointOptions struct {
	ContainerID string
	Name        string   // container name, resolvable on user-defined networks
	Aliases     []string // --network-alias / connect --alias
	NetNSPath   string   // /proc/PID/ns/net or a bind-mounted namespace file
	IP          netip.Addr
	MAC         net.HardwareAddr
	// Ports are published through this endpoint (give them on one network
	// of the container only, its first).
	Ports []portspec.Mapping
	// DNS (--dns) replaces the upstreams of the container's embedded DNS.
	DNS []netip.Addr
}

// Endpoint is a container's connection to a network (persisted).
type Endpoint struct {
	ID          string       `json:"ID"`
	NetworkID   string       `json:"NetworkID"`
	ContainerID string       `json:"ContainerID"`
	Name        string       `json:"Name"`
	Aliases     []string     `json:"Aliases,omitempty"`
	NetNSPath   string       `json:"NetNSPath"`
	HostIfName  string       `json:"HostIfName"` // host end of the veth
	IfName      string       `json:"IfName"`     // name inside the container (eth0…)
	Address     netip.Prefix `json:"Address"`
	RequestedIP bool         `json:"RequestedIP,omitempty"` // --ip, shown as IPAMConfig
	Gateway     netip.Addr   `json:"Gateway,omitzero"`      // zero on internal networks
	MAC         string       `json:"MAC"`
	MTU         int          `json:"MTU,omitempty"`
	// Ports are the published ports with their host ports resolved.
	Ports []portspec.Mapping `json:"Ports,omitempty"`
	DNS   []netip.Addr       `json:"DNS,omitempty"`
}

// IP is the endpoint's address without its prefix length.
func (e *Endpoint) IP() netip.Addr { return e.Address.Addr() }
