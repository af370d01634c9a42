package cli

import "github.com/spf13/cobra"

// addBuildCommands adds the build commands (none until that area lands).
func addBuildCommands(root *cobra.Command, g *globalOptions) {}
