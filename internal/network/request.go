package network

import (
	"fmt"
	"strconv"

	"github.com/containerd/errdefs"
	mobynet "github.com/moby/moby/api/types/network"
)

// CreateOptionsFrom reads Docker's create request (POST /networks/create).
// berth's bridge networks have one IPv4 subnet and the default IPAM
// driver; anything else is refused rather than ignored.
func CreateOptionsFrom(req mobynet.CreateRequest) (CreateOptions, error) {
	o := CreateOptions{Name: req.Name, Driver: req.Driver, Internal: req.Internal, Labels: req.Labels, Options: req.Options}
	if req.EnableIPv6 != nil && *req.EnableIPv6 {
		o.EnableIPv6 = true
	}
	if req.EnableIPv4 != nil && !*req.EnableIPv4 {
		return o, fmt.Errorf("network %s: IPv4 cannot be disabled: %w", req.Name, errdefs.ErrInvalidArgument)
	}
	if req.Scope != "" && req.Scope != "local" {
		return o, fmt.Errorf("network %s: scope %q is not supported (local only): %w", req.Name, req.Scope, errdefs.ErrInvalidArgument)
	}
	if req.ConfigOnly || req.ConfigFrom != nil || req.Ingress {
		return o, fmt.Errorf("network %s: config-only, config-from and ingress networks are not supported: %w", req.Name, errdefs.ErrInvalidArgument)
	}
	if v, ok := req.Options[OptionMTU]; ok {
		if _, err := strconv.Atoi(v); err != nil {
			return o, fmt.Errorf("network %s: invalid %s %q: %w", req.Name, OptionMTU, v, errdefs.ErrInvalidArgument)
		}
	}
	if ipam := req.IPAM; ipam != nil {
		if ipam.Driver != "" && ipam.Driver != "default" {
			return o, fmt.Errorf("network %s: IPAM driver %q is not supported (default only): %w", req.Name, ipam.Driver, errdefs.ErrInvalidArgument)
		}
		switch len(ipam.Config) {
		case 0:
		case 1:
			c := ipam.Config[0]
			if len(c.AuxAddress) > 0 {
				return o, fmt.Errorf("network %s: auxiliary addresses are not supported: %w", req.Name, errdefs.ErrInvalidArgument)
			}
			o.Subnet, o.IPRange, o.Gateway = c.Subnet, c.IPRange, c.Gateway
			if !o.Subnet.IsValid() && (o.IPRange.IsValid() || o.Gateway.IsValid()) {
				return o, fmt.Errorf("network %s: --ip-range and --gateway need --subnet: %w", req.Name, errdefs.ErrInvalidArgument)
			}
		default:
			return o, fmt.Errorf("network %s: one IPv4 subnet per network: %w", req.Name, errdefs.ErrInvalidArgument)
		}
	}
	return o, nil
}
