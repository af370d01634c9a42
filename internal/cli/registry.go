package cli

import "github.com/spf13/cobra"

// addRegistryCommands adds the registry commands (none until that area lands).
func addRegistryCommands(root *cobra.Command, g *globalOptions) {}
