package container

import (
	"maps"
	"slices"

	"github.com/berthproject/berth/internal/network/portspec"
	containertypes "github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
)

// These helpers serve -P and the image's EXPOSE; the service's create
// and attach call them.

// mergeExposedPorts adds the image's EXPOSE ports ("80/tcp") to the
// container's, as Docker's merged config shows them.
func mergeExposedPorts(cfg *containertypes.Config, exposed map[string]struct{}) {
	for p := range exposed {
		port, err := mobynet.ParsePort(p)
		if err != nil {
			continue // not a port berth can publish; Docker ignores it too
		}
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = mobynet.PortSet{}
		}
		cfg.ExposedPorts[port] = struct{}{}
	}
}

// publishedMappings is what a container publishes: its -p bindings and,
// with -P, every exposed port that -p did not bind, on an ephemeral host
// port of every address.
func publishedMappings(c *Container) ([]portspec.Mapping, error) {
	ms, err := portMappings(c.HostConfig.PortBindings)
	if err != nil || !c.HostConfig.PublishAllPorts || c.Config == nil {
		return ms, err
	}
	ports := slices.SortedFunc(maps.Keys(c.Config.ExposedPorts), func(a, b mobynet.Port) int {
		return int(a.Num()) - int(b.Num())
	})
	for _, p := range ports {
		if _, bound := c.HostConfig.PortBindings[p]; bound {
			continue
		}
		proto := string(p.Proto())
		if proto != "tcp" && proto != "udp" {
			continue
		}
		ms = append(ms, portspec.Mapping{ContainerPort: p.Num(), Proto: proto})
	}
	return ms, nil
}
