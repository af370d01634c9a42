package cli

import "github.com/spf13/cobra"

// addNetworkCommands adds the networks commands (none until that area lands).
func addNetworkCommands(root *cobra.Command, g *globalOptions) {}
