package build

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"

	"github.com/berthproject/berth/internal/network"
	"github.com/berthproject/berth/internal/network/etcfiles"
	"github.com/berthproject/berth/internal/oci"
	"github.com/containerd/errdefs"
)

// NetworkAttacher is what RUN steps need from the network service
// (satisfied by *network.Manager): an endpoint on the default bridge
// network for the step's container, removed when the step ends.
type NetworkAttacher interface {
	Attach(ctx context.Context, ref string, o network.EndpointOptions) (*network.Endpoint, error)
	Detach(ctx context.Context, ref, containerID string) error
}

// stepNetwork is how a RUN step's container is networked.
type stepNetwork struct {
	ns oci.Namespace
	// bridge is the network the container is attached to after
	// create, or "" (loopback only, or the host's network).
	bridge string
}

// network is the network of RUN steps. Docker runs them on the default
// bridge network; without a network service (a builder made outside the
// daemon) "" and "default" keep a namespace with loopback only.
func (r *buildRun) network() (stepNetwork, error) {
	switch r.opts.Network {
	case "none":
		return stepNetwork{}, nil
	case "host":
		return stepNetwork{ns: oci.Namespace{Host: true}}, nil
	case "", "default", "bridge":
		if r.b.cfg.Networks != nil {
			return stepNetwork{bridge: network.DefaultNetwork}, nil
		}
		if r.opts.Network == "bridge" {
			return stepNetwork{}, fmt.Errorf("--network bridge: the builder runs without a network service; use --network host or none: %w", errdefs.ErrNotImplemented)
		}
		return stepNetwork{}, nil
	}
	return stepNetwork{}, fmt.Errorf("--network %q: use default, bridge, host or none: %w", r.opts.Network, errdefs.ErrInvalidArgument)
}

// prepareEtcFiles creates the step's /etc/hosts and /etc/resolv.conf in
// the bundle, empty until attach fills them: they must exist when the
// runtime bind-mounts them at create, before the address is known.
func prepareEtcFiles(bundle string, o *oci.Options) error {
	o.HostsPath, o.ResolvConfPath = filepath.Join(bundle, "hosts"), filepath.Join(bundle, "resolv.conf")
	for _, p := range []string{o.HostsPath, o.ResolvConfPath} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return fmt.Errorf("RUN step %s: %w", filepath.Base(p), err)
		}
	}
	return nil
}

// attachStep connects the created container (its init is pid) to the
// step's bridge network and writes its /etc files in place. The caller
// detaches with detachStep, also when this fails part-way (Attach
// leaves nothing on error, and Detach of no endpoint is harmless).
func (r *buildRun) attachStep(ctx context.Context, sn stepNetwork, id, hostname, bundle string, pid int) error {
	netns := "/proc/" + strconv.Itoa(pid) + "/ns/net"
	ep, err := r.b.cfg.Networks.Attach(ctx, sn.bridge, network.EndpointOptions{ContainerID: id, NetNSPath: netns})
	if err != nil {
		return fmt.Errorf("attach the RUN step to network %s: %w", sn.bridge, err)
	}
	hosts := etcfiles.Hosts(etcfiles.HostsOptions{Hostname: hostname, IPs: []netip.Addr{ep.IP()}})
	hostResolv, _ := os.ReadFile("/etc/resolv.conf")
	// The default bridge has no embedded DNS: the host's servers.
	resolv := etcfiles.ResolvConf(hostResolv, etcfiles.DNSOptions{}, false)
	for f, data := range map[string][]byte{"hosts": hosts, "resolv.conf": resolv} {
		if err := os.WriteFile(filepath.Join(bundle, f), data, 0o644); err != nil {
			return fmt.Errorf("RUN step %s: %w", f, err)
		}
	}
	return nil
}

// detachStep removes the step's endpoint; it runs with a context that
// outlives a cancelled build so no veth is left on the bridge.
func (r *buildRun) detachStep(ctx context.Context, sn stepNetwork, id string) {
	if err := r.b.cfg.Networks.Detach(ctx, sn.bridge, id); err != nil && !errdefs.IsNotFound(err) {
		fmt.Fprintf(r.out, "[Warning] detach build container %s from network %s: %v\n", id[:12], sn.bridge, err)
	}
}
