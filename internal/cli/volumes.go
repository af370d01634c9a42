package cli

import "github.com/spf13/cobra"

// addVolumeCommands adds the volumes commands (none until that area lands).
func addVolumeCommands(root *cobra.Command, g *globalOptions) {}
