package cli

import "github.com/spf13/cobra"

// addRegistryCommands adds pull, push, login, logout and manifest, and
// pull and push under "image" as Docker has them.
func addRegistryCommands(root *cobra.Command, g *globalOptions) {
	root.AddCommand(newPullCommand(g), newPushCommand(g), newLoginCommand(g), newLogoutCommand(g), newManifestCommand(g))
	for _, c := range root.Commands() {
		if c.Name() == "image" {
			c.AddCommand(newPullCommand(g), newPushCommand(g))
		}
	}
}
