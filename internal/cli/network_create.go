package cli

import (
	"fmt"
	"net/netip"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newNetworkCreateCommand(g *globalOptions) *cobra.Command {
	var driver, subnet, gateway, ipRange string
	var internal, ipv6 bool
	var labels, opts []string
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] NETWORK",
		Short: "Create a network",
		Long: `Create a bridge network and print its ID. Without --subnet the next free
subnet of Docker's default pools is taken; a given subnet must not overlap
another network or a route of the host. --gateway defaults to the subnet's
first address; --ip-range limits automatic addresses to part of the subnet.
--internal networks have no outbound route. Options (-o):
com.docker.network.bridge.name=NAME, com.docker.network.driver.mtu=N.`,
		Example: `  berth network create web
  berth network create --subnet 10.10.0.0/24 --gateway 10.10.0.254 --ip-range 10.10.0.128/25 web
  berth network create --internal -o com.docker.network.bridge.name=br-back backend`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := parseKV(cmd, "label", labels)
			if err != nil {
				return err
			}
			o, err := parseKV(cmd, "opt", opts)
			if err != nil {
				return err
			}
			ipam, err := ipamConfig(cmd, subnet, gateway, ipRange)
			if err != nil {
				return err
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			req := client.NetworkCreateOptions{Driver: driver, Internal: internal, Labels: l, Options: o, IPAM: ipam}
			if ipv6 {
				req.EnableIPv6 = &ipv6
			}
			res, err := c.NetworkCreate(cmd.Context(), args[0], req)
			if err != nil {
				return err
			}
			for _, w := range res.Warning {
				cmd.PrintErrln("WARNING:", w)
			}
			fmt.Fprintln(cmd.OutOrStdout(), res.ID)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&driver, "driver", "d", "bridge", "driver to manage the network (bridge only)")
	f.StringVar(&subnet, "subnet", "", "subnet in CIDR format (e.g. 10.10.0.0/24)")
	f.StringVar(&gateway, "gateway", "", "IPv4 gateway of the subnet")
	f.StringVar(&ipRange, "ip-range", "", "allocate container addresses from a sub-range (CIDR)")
	f.BoolVar(&internal, "internal", false, "restrict external access to the network")
	f.BoolVar(&ipv6, "ipv6", false, "enable IPv6 (refused: berth's networks are IPv4 only)")
	f.StringArrayVar(&labels, "label", nil, "set metadata on a network")
	f.StringArrayVarP(&opts, "opt", "o", nil, "set driver specific options")
	return cmd
}

// ipamConfig reads --subnet, --gateway and --ip-range (nil when none is given).
func ipamConfig(cmd *cobra.Command, subnet, gateway, ipRange string) (*network.IPAM, error) {
	if subnet == "" && gateway == "" && ipRange == "" {
		return nil, nil
	}
	if subnet == "" {
		return nil, newUsageError(cmd, "--gateway and --ip-range need --subnet")
	}
	var cfg network.IPAMConfig
	var err error
	if cfg.Subnet, err = netip.ParsePrefix(subnet); err != nil {
		return nil, newUsageError(cmd, "invalid --subnet %q: want CIDR such as 10.10.0.0/24", subnet)
	}
	if gateway != "" {
		if cfg.Gateway, err = netip.ParseAddr(gateway); err != nil {
			return nil, newUsageError(cmd, "invalid --gateway %q: want an IP address", gateway)
		}
	}
	if ipRange != "" {
		if cfg.IPRange, err = netip.ParsePrefix(ipRange); err != nil {
			return nil, newUsageError(cmd, "invalid --ip-range %q: want CIDR such as 10.10.0.128/25", ipRange)
		}
	}
	return &network.IPAM{Driver: "default", Config: []network.IPAMConfig{cfg}}, nil
}
