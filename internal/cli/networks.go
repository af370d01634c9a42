package cli

import (
	"strings"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

// addNetworkCommands adds the `network` group: create, ls, inspect, rm,
// prune, connect, disconnect.
func addNetworkCommands(root *cobra.Command, g *globalOptions) {
	group := &cobra.Command{
		Use:   "network",
		Short: "Manage networks",
		Long: `Manage networks. Every daemon has "bridge" (the default, on bridge berth0),
"host" and "none"; user-defined bridge networks add name resolution between
their containers (by name, alias and short ID) and isolation from other
networks. Run a container on one with "berth run --network NAME".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	group.AddCommand(newNetworkCreateCommand(g), newNetworkLsCommand(g), newNetworkInspectCommand(g),
		newNetworkRmCommand(g), newNetworkPruneCommand(g), newNetworkConnectCommand(g), newNetworkDisconnectCommand(g))
	root.AddCommand(group)
}

// completeNetworks completes network names.
func completeNetworks(g *globalOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		c, err := g.connect(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer c.Close()
		res, err := c.NetworkList(cmd.Context(), client.NetworkListOptions{})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []cobra.Completion
		for _, n := range res.Items {
			if strings.HasPrefix(n.Name, toComplete) {
				names = append(names, n.Name)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
