package cli

import "github.com/spf13/cobra"

func addImageCommands(_ *cobra.Command, _ *globalOptions) {}
