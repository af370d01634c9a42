package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"

	"github.com/berthproject/berth/internal/container"
	"github.com/berthproject/berth/internal/network"
	"github.com/containerd/errdefs"
	mobynet "github.com/moby/moby/api/types/network"
)

// openNetworks builds the network service: this daemon's default bridge and
// nftables table (from the config, so that test daemons each have their
// own), the records from the metadata store. Its closer leaves the kernel
// state of running containers for live restore; with no endpoint left it
// removes the bridges and the table (the records stay), so a daemon that
// stops idle leaves nothing of berth in `ip link` or `nft list ruleset` —
// unless another daemon's veths are on its bridges (the same --bridge on
// both), whose network must not go with this one.
func (s *services) openNetworks(ctx context.Context, cfg Config, logger *slog.Logger) error {
	m, err := network.New(ctx, network.Config{Store: network.DBStore(s.db), Table: cfg.NftTable,
		DefaultBridge: cfg.Bridge, Logger: logger.With("service", "network")})
	if err != nil {
		if os.Geteuid() != 0 {
			// Bridges and rules need root; an unprivileged daemon runs
			// containers with loopback only.
			logger.Warn("no network service: bridges and rules need root", "err", err)
			return nil
		}
		return fmt.Errorf("network service: %w", err)
	}
	s.closers = append(s.closers, func() error {
		cerr := m.Close()
		if m.Busy() || m.Shared() {
			return cerr
		}
		if err := m.Teardown(context.Background()); err != nil {
			logger.Warn("remove idle network state", "err", err)
		}
		return cerr
	})
	s.networks = &networkService{m: m, s: s}
	return nil
}

// networkService is the API's NetworkService over the Manager. Connect and
// disconnect look the container up in the container service, built after
// this one.
type networkService struct {
	m *network.Manager
	s *services
}

// Manager is what the container service uses for its endpoints.
func (n *networkService) Manager() *network.Manager { return n.m }

func (n *networkService) ListNetworks(ctx context.Context, filters map[string][]string) ([]mobynet.Summary, error) {
	return n.m.Filtered(filters)
}

func (n *networkService) InspectNetwork(ctx context.Context, ref string) (mobynet.Inspect, error) {
	return n.m.Inspect(ref)
}

func (n *networkService) CreateNetwork(ctx context.Context, req mobynet.CreateRequest) (mobynet.CreateResponse, error) {
	o, err := network.CreateOptionsFrom(req)
	if err != nil {
		return mobynet.CreateResponse{}, err
	}
	nw, err := n.m.Create(ctx, o)
	if err != nil {
		return mobynet.CreateResponse{}, err
	}
	return mobynet.CreateResponse{ID: nw.ID}, nil
}

func (n *networkService) RemoveNetwork(ctx context.Context, ref string) error {
	return n.m.Remove(ctx, ref)
}

func (n *networkService) PruneNetworks(ctx context.Context, filters map[string][]string) (mobynet.PruneReport, error) {
	match, err := network.PruneMatch(filters)
	if err != nil {
		return mobynet.PruneReport{}, err
	}
	names, err := n.m.Prune(ctx, match)
	return mobynet.PruneReport{NetworksDeleted: names}, err
}

// containerService is the container service, once built.
func (n *networkService) containerService() (*container.Service, error) {
	cs, _ := n.s.containers.(*container.Service)
	if cs == nil {
		return nil, fmt.Errorf("the container service is not available: %w", errdefs.ErrUnavailable)
	}
	return cs, nil
}

// ConnectNetwork attaches a running container to a network (Docker also
// records connections of stopped containers for their next start; berth
// does not yet, and says so).
func (n *networkService) ConnectNetwork(ctx context.Context, ref string, req mobynet.ConnectRequest) error {
	cs, err := n.containerService()
	if err != nil {
		return err
	}
	c, err := cs.Get(ctx, req.Container)
	if err != nil {
		return err
	}
	if nm := c.HostConfig.NetworkMode; nm.IsHost() || nm.IsNone() || nm.IsContainer() {
		return fmt.Errorf("container %s has network mode %s: it cannot be connected to a network: %w", c.Name, nm, errdefs.ErrInvalidArgument)
	}
	if !cs.Running(c.ID) || c.State.Pid == 0 {
		return fmt.Errorf("container %s is not running: berth connects running containers only: %w", c.Name, errdefs.ErrConflict)
	}
	o := network.EndpointOptions{ContainerID: c.ID, Name: c.Name, NetNSPath: "/proc/" + strconv.Itoa(c.State.Pid) + "/ns/net",
		DNS: c.HostConfig.DNS}
	if es := req.EndpointConfig; es != nil {
		o.Aliases = es.Aliases
		if es.IPAMConfig != nil {
			o.IP = es.IPAMConfig.IPv4Address
		}
		if len(es.MacAddress) > 0 {
			o.MAC = []byte(es.MacAddress)
		}
	}
	_, err = n.m.Attach(ctx, ref, o)
	return err
}

// DisconnectNetwork detaches a container; with Force, a container that no
// longer exists is detached by the ID given.
func (n *networkService) DisconnectNetwork(ctx context.Context, ref string, req mobynet.DisconnectRequest) error {
	cs, err := n.containerService()
	if err != nil {
		return err
	}
	id := req.Container
	c, err := cs.Get(ctx, req.Container)
	switch {
	case err == nil:
		id = c.ID
	case !req.Force || !errdefs.IsNotFound(err):
		return err
	}
	return n.m.Detach(ctx, ref, id)
}
