package cli

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

// confirm asks the user a yes/no question on the command's streams, as
// Docker's prune commands do; anything but y/yes is no.
func confirm(cmd *cobra.Command, warning string) bool {
	fmt.Fprintf(cmd.OutOrStdout(), "%s\nAre you sure you want to continue? [y/N] ", warning)
	answer, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(answer))
	return a == "y" || a == "yes"
}

func newContainerPruneCommand(g *globalOptions) *cobra.Command {
	var force bool
	var filterFlags []string
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove all stopped containers",
		Long: `Remove every container that is not running. Filters: until=DURATION|
TIMESTAMP, label=KEY[=VALUE], label!=KEY[=VALUE]. Asks for confirmation
unless -f.`,
		Example: "  berth container prune\n  berth container prune -f --filter until=1h",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filters, err := parseFilterFlags(cmd, filterFlags)
			if err != nil {
				return err
			}
			if !force && !confirm(cmd, "WARNING! This will remove all stopped containers.") {
				return nil
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			res, err := c.ContainerPrune(cmd.Context(), client.ContainerPruneOptions{Filters: filters})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(res.Report.ContainersDeleted) > 0 {
				fmt.Fprintln(out, "Deleted Containers:")
				for _, id := range res.Report.ContainersDeleted {
					fmt.Fprintln(out, id)
				}
				fmt.Fprintln(out)
			}
			fmt.Fprintln(out, "Total reclaimed space:", units.HumanSize(float64(res.Report.SpaceReclaimed)))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	cmd.Flags().StringArrayVar(&filterFlags, "filter", nil, "provide filter values (e.g. 'until=<timestamp>')")
	return cmd
}
