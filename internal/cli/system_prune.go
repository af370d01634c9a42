package cli

import (
	"fmt"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/docker/go-units"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newSystemPruneCommand(g *globalOptions) *cobra.Command {
	var all, force, volumes bool
	var filterFlags []string
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused data",
		Long: `Remove stopped containers, networks no container uses and dangling
images; with -a every image no container uses; with --volumes the
anonymous volumes no container uses. Asks for confirmation unless -f.`,
		Example: "  berth system prune\n  berth system prune -a -f --volumes",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filters, err := parseFilterFlags(cmd, filterFlags)
			if err != nil {
				return err
			}
			if !force {
				items := []string{"all stopped containers", "all networks not used by at least one container"}
				if volumes {
					items = append(items, "all anonymous volumes not used by at least one container")
				}
				if all {
					items = append(items, "all images without at least one container associated to them")
				} else {
					items = append(items, "all dangling images")
				}
				if !confirm(cmd, "WARNING! This will remove:\n  - "+strings.Join(items, "\n  - ")+"\n") {
					return nil
				}
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			return systemPrune(cmd, c, filters, all, volumes)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&all, "all", "a", false, "remove all unused images not just dangling ones")
	f.BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	f.BoolVar(&volumes, "volumes", false, "prune anonymous volumes")
	f.StringArrayVar(&filterFlags, "filter", nil, "provide filter values (e.g. 'label=<key>=<value>')")
	return cmd
}

// systemPrune prunes containers, networks, volumes and images in Docker's
// order (containers first, so that what they used becomes unused).
func systemPrune(cmd *cobra.Command, c *client.Client, filters client.Filters, all, volumes bool) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	var reclaimed uint64
	section := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintln(out, title)
		for _, i := range items {
			fmt.Fprintln(out, i)
		}
		fmt.Fprintln(out)
	}
	cr, err := c.ContainerPrune(ctx, client.ContainerPruneOptions{Filters: filters})
	if err != nil {
		return err
	}
	section("Deleted Containers:", cr.Report.ContainersDeleted)
	reclaimed += cr.Report.SpaceReclaimed
	// A daemon without network or volume routes has none to prune.
	if nr, err := c.NetworkPrune(ctx, client.NetworkPruneOptions{Filters: filters}); err == nil {
		section("Deleted Networks:", nr.Report.NetworksDeleted)
	} else if !errdefs.IsNotFound(err) {
		return err
	}
	if volumes {
		vr, err := c.VolumePrune(ctx, client.VolumePruneOptions{Filters: filters})
		if err == nil {
			section("Deleted Volumes:", vr.Report.VolumesDeleted)
			reclaimed += vr.Report.SpaceReclaimed
		} else if !errdefs.IsNotFound(err) {
			return err
		}
	}
	imgFilters := filters.Clone()
	if all {
		imgFilters.Add("dangling", "false")
	}
	ir, err := c.ImagePrune(ctx, client.ImagePruneOptions{Filters: imgFilters})
	if err != nil {
		return err
	}
	var imgs []string
	for _, d := range ir.Report.ImagesDeleted {
		if d.Untagged != "" {
			imgs = append(imgs, "untagged: "+d.Untagged)
		}
		if d.Deleted != "" {
			imgs = append(imgs, "deleted: "+d.Deleted)
		}
	}
	section("Deleted Images:", imgs)
	reclaimed += ir.Report.SpaceReclaimed
	fmt.Fprintln(out, "Total reclaimed space:", units.HumanSize(float64(reclaimed)))
	return nil
}
