package cli

import "github.com/spf13/cobra"

// addContainerCommands adds the containers commands (none until that area lands).
func addContainerCommands(root *cobra.Command, g *globalOptions) {}
