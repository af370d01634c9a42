package build

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

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

// attachStep puts the step on its bridge network before its container
// exists: a network namespace of its own (newNetNS) with the endpoint in
// it, and its /etc/hosts and /etc/resolv.conf in the bundle; o is set to
// join and mount them. release detaches the endpoint and drops the
// namespace, with a context that outlives a cancelled build so no veth
// is left on the bridge; call it once the container is gone, on success,
// failure or cancel. On error nothing is left.
func (r *buildRun) attachStep(ctx context.Context, sn stepNetwork, id, bundle string, o *oci.Options) (release func(), err error) {
	ns, err := newNetNS()
	if err != nil {
		return nil, err
	}
	path := netnsPath(ns)
	ep, err := r.b.cfg.Networks.Attach(ctx, sn.bridge, network.EndpointOptions{ContainerID: id, NetNSPath: path})
	if err != nil {
		ns.Close()
		return nil, fmt.Errorf("attach the RUN step to network %s: %w", sn.bridge, err)
	}
	release = func() {
		r.detachStep(context.WithoutCancel(ctx), sn, id)
		ns.Close()
	}
	hosts := etcfiles.Hosts(etcfiles.HostsOptions{Hostname: o.Hostname, IPs: []netip.Addr{ep.IP()}})
	hostResolv, _ := os.ReadFile("/etc/resolv.conf")
	// The default bridge has no embedded DNS: the host's servers.
	resolv := etcfiles.ResolvConf(hostResolv, etcfiles.DNSOptions{}, false)
	o.HostsPath, o.ResolvConfPath = filepath.Join(bundle, "hosts"), filepath.Join(bundle, "resolv.conf")
	for p, data := range map[string][]byte{o.HostsPath: hosts, o.ResolvConfPath: resolv} {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			release()
			return nil, fmt.Errorf("RUN step %s: %w", filepath.Base(p), err)
		}
	}
	o.Network = oci.Namespace{Path: path}
	return release, nil
}

// detachStep removes the step's endpoint.
func (r *buildRun) detachStep(ctx context.Context, sn stepNetwork, id string) {
	if err := r.b.cfg.Networks.Detach(ctx, sn.bridge, id); err != nil && !errdefs.IsNotFound(err) {
		fmt.Fprintf(r.out, "[Warning] detach build container %s from network %s: %v\n", id[:12], sn.bridge, err)
	}
}
