package cli

import (
	"fmt"
	"net/netip"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newNetworkInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:               "inspect [OPTIONS] NETWORK [NETWORK...]",
		Short:             "Display detailed information on one or more networks",
		Long:              "Print the daemon's JSON description of each network (its subnet, gateway, options and connected containers), as an array; --format applies a Go template to each instead.",
		Example:           "  berth network inspect web\n  berth network inspect --format '{{range .IPAM.Config}}{{.Subnet}}{{end}}' bridge",
		Args:              minArgs(1),
		ValidArgsFunction: completeNetworks(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			printer := &inspectPrinter{w: cmd.OutOrStdout(), format: format}
			err := forEachName(cmd, g, args, func(c *client.Client, name string) error {
				res, err := c.NetworkInspect(cmd.Context(), name, client.NetworkInspectOptions{})
				if err != nil {
					return err
				}
				return printer.add(res.Network, res.Raw)
			})
			if perr := printer.flush(); perr != nil {
				return perr
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format output using a Go template, or 'json'")
	return cmd
}

func newNetworkRmCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:               "rm NETWORK [NETWORK...]",
		Aliases:           []string{"remove"},
		Short:             "Remove one or more networks",
		Long:              "Remove networks with their bridges and rules. A network that still has containers is refused, naming them; the predefined networks cannot be removed.",
		Example:           "  berth network rm web\n  berth network rm $(berth network ls -q -f dangling=true)",
		Args:              minArgs(1),
		ValidArgsFunction: completeNetworks(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			return forEachContainer(cmd, g, args, func(c *client.Client, name string) error {
				_, err := c.NetworkRemove(cmd.Context(), name, client.NetworkRemoveOptions{})
				return err // forEachContainer prints the name on success
			})
		},
	}
}

func newNetworkPruneCommand(g *globalOptions) *cobra.Command {
	var force bool
	var filterFlags []string
	cmd := &cobra.Command{
		Use:     "prune [OPTIONS]",
		Short:   "Remove all unused networks",
		Long:    "Remove every user-defined network no container uses. Filters: label=KEY[=VALUE], label!=KEY[=VALUE], until=TIMESTAMP|DURATION. Asks for confirmation unless -f.",
		Example: "  berth network prune\n  berth network prune -f --filter until=24h",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filters, err := parseFilterFlags(cmd, filterFlags)
			if err != nil {
				return err
			}
			if !force && !confirm(cmd, "WARNING! This will remove all custom networks not used by at least one container.") {
				return nil
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			res, err := c.NetworkPrune(cmd.Context(), client.NetworkPruneOptions{Filters: filters})
			if err != nil {
				return err
			}
			if len(res.Report.NetworksDeleted) > 0 {
				out := cmd.OutOrStdout()
				fmt.Fprintln(out, "Deleted Networks:")
				for _, n := range res.Report.NetworksDeleted {
					fmt.Fprintln(out, n)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	f.StringArrayVar(&filterFlags, "filter", nil, "provide filter values (e.g. 'until=<timestamp>')")
	return cmd
}

func newNetworkConnectCommand(g *globalOptions) *cobra.Command {
	var ip string
	var aliases []string
	cmd := &cobra.Command{
		Use:   "connect [OPTIONS] NETWORK CONTAINER",
		Short: "Connect a container to a network",
		Long: `Connect a running container to a network: it gets a further interface
(eth1, …) with an address of the network, and on a user-defined network the
other containers find it by name and by each --alias.`,
		Example:           "  berth network connect web app\n  berth network connect --ip 10.10.0.50 --alias db web postgres",
		Args:              exactArgs(2),
		ValidArgsFunction: completeNetworks(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			es := &network.EndpointSettings{Aliases: aliases}
			if ip != "" {
				a, err := netip.ParseAddr(ip)
				if err != nil {
					return newUsageError(cmd, "invalid --ip %q: want an IPv4 address", ip)
				}
				es.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: a}
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			_, err = c.NetworkConnect(cmd.Context(), args[0], client.NetworkConnectOptions{Container: args[1], EndpointConfig: es})
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&ip, "ip", "", "IPv4 address (e.g. 172.30.100.104)")
	f.StringArrayVar(&aliases, "alias", nil, "add network-scoped alias for the container")
	return cmd
}

func newNetworkDisconnectCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:               "disconnect [OPTIONS] NETWORK CONTAINER",
		Short:             "Disconnect a container from a network",
		Long:              "Disconnect a container from a network: its interface, address and published ports there go. -f also disconnects a container that no longer exists.",
		Example:           "  berth network disconnect web app",
		Args:              exactArgs(2),
		ValidArgsFunction: completeNetworks(g),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			_, err := c.NetworkDisconnect(cmd.Context(), args[0], client.NetworkDisconnectOptions{Container: args[1], Force: force})
			return err
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force the container to disconnect from a network")
	return cmd
}
