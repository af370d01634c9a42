package cli

import (
	"fmt"

	"github.com/docker/go-units"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newTagCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
		Short: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
		Long: `Give an image another name. Names are normalised as Docker does: "busybox"
means docker.io/library/busybox:latest.`,
		Example: `  berth tag busybox:latest example.com/me/busybox:v1
  berth tag 0123456789ab myimage`,
		Args: exactArgs(2),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			_, err := c.ImageTag(cmd.Context(), client.ImageTagOptions{Source: args[0], Target: args[1]})
			return err
		}),
	}
}

func newRmiCommand(g *globalOptions) *cobra.Command {
	var force, noPrune bool
	cmd := &cobra.Command{
		Use:   "rmi [OPTIONS] IMAGE [IMAGE...]",
		Short: "Remove one or more images",
		Long: `Remove images by name, short or full ID, or digest. Removing a name that is
one of several tags of an image only untags it; removing by ID an image
with several tags needs -f.`,
		Example: `  berth rmi busybox
  berth rmi -f 0123456789ab
  berth image rm example.com/me/busybox:v1`,
		Args: minArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			var failed error
			for _, name := range args {
				res, err := c.ImageRemove(cmd.Context(), name, client.ImageRemoveOptions{Force: force, PruneChildren: !noPrune})
				if err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), errorLine(err))
					failed = statusError{code: ExitFailure}
					continue
				}
				for _, d := range res.Items {
					if d.Untagged != "" {
						fmt.Fprintln(cmd.OutOrStdout(), "Untagged:", d.Untagged)
					}
					if d.Deleted != "" {
						fmt.Fprintln(cmd.OutOrStdout(), "Deleted:", d.Deleted)
					}
				}
			}
			return failed
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force removal of the image")
	cmd.Flags().BoolVar(&noPrune, "no-prune", false, "do not delete untagged parents")
	return cmd
}

func newPruneCommand(g *globalOptions) *cobra.Command {
	var all, force bool
	var filterFlags []string
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused images",
		Long: `Remove dangling images (untagged, unused), or with -a every image no
container uses. Filters: until=DURATION|TIMESTAMP, label=KEY[=VALUE],
label!=KEY[=VALUE]. Asks for confirmation unless -f.`,
		Example: `  berth image prune
  berth image prune -a -f
  berth image prune -f --filter until=24h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filters, err := parseFilterFlags(cmd, filterFlags)
			if err != nil {
				return err
			}
			if all {
				filters.Add("dangling", "false")
			}
			if !force {
				warning := "WARNING! This will remove all dangling images."
				if all {
					warning = "WARNING! This will remove all images without at least one container associated to them."
				}
				if !confirm(cmd, warning) {
					return nil
				}
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			res, err := c.ImagePrune(cmd.Context(), client.ImagePruneOptions{Filters: filters})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(res.Report.ImagesDeleted) > 0 {
				fmt.Fprintln(out, "Deleted Images:")
				for _, d := range res.Report.ImagesDeleted {
					if d.Untagged != "" {
						fmt.Fprintln(out, "untagged:", d.Untagged)
					}
					if d.Deleted != "" {
						fmt.Fprintln(out, "deleted:", d.Deleted)
					}
				}
				fmt.Fprintln(out)
			}
			fmt.Fprintln(out, "Total reclaimed space:", units.HumanSize(float64(res.Report.SpaceReclaimed)))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all unused images, not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	cmd.Flags().StringArrayVar(&filterFlags, "filter", nil, "provide filter values (e.g. 'until=<timestamp>')")
	return cmd
}
