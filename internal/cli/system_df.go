package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/go-units"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

// addSystemContainerCommands adds `system df`, `system prune` and `system
// events` to the `system` group, making the group if no one has yet.
func addSystemContainerCommands(root *cobra.Command, g *globalOptions) {
	var group *cobra.Command
	for _, c := range root.Commands() {
		if c.Name() == "system" {
			group = c
		}
	}
	if group == nil {
		group = &cobra.Command{
			Use:   "system",
			Short: "Manage berth",
			Long:  "Show disk usage, events and remove unused data.",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return cmd.Help()
			},
		}
		root.AddCommand(group)
	}
	group.AddCommand(newSystemDfCommand(g), newSystemPruneCommand(g), newEventsCommand(g))
}

func newSystemDfCommand(g *globalOptions) *cobra.Command {
	var verbose bool
	var format string
	cmd := &cobra.Command{
		Use:   "df [OPTIONS]",
		Short: "Show berth disk usage",
		Long: `Show the space images, containers and local volumes take, and how much
of it is reclaimable (not used by any container). -v lists each object.`,
		Example: "  berth system df\n  berth system df -v\n  berth system df --format json",
		Args:    cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, _ []string) error {
			du, err := diskUsage(cmd.Context(), c, verbose)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			rows := dfRows(du)
			lf := listFormat{format: format, headers: dfHeaders,
				defaultTable: "{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"}
			if err := lf.write(out, rows); err != nil {
				return err
			}
			if verbose && format == "" {
				writeDfVerbose(out, du)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show detailed information on space usage")
	cmd.Flags().StringVar(&format, "format", "", "format output using a Go template, 'table TEMPLATE' or 'json'")
	return cmd
}

// diskUsage asks the daemon's /system/df; a daemon without that route
// gets the same figures computed from the image, container and volume lists.
func diskUsage(ctx context.Context, c *client.Client, verbose bool) (client.DiskUsageResult, error) {
	du, err := c.DiskUsage(ctx, client.DiskUsageOptions{Containers: true, Images: true, Volumes: true, BuildCache: true, Verbose: verbose})
	if err == nil || !errdefs.IsNotFound(err) && !errdefs.IsNotImplemented(err) {
		return du, err
	}
	du = client.DiskUsageResult{}
	imgs, err := c.ImageList(ctx, client.ImageListOptions{All: true})
	if err != nil {
		return du, err
	}
	for _, i := range imgs.Items {
		du.Images.TotalCount++
		du.Images.TotalSize += i.Size
		if i.Containers > 0 {
			du.Images.ActiveCount++
		} else {
			du.Images.Reclaimable += i.Size
		}
	}
	du.Images.Items = imgs.Items
	ctrs, err := c.ContainerList(ctx, client.ContainerListOptions{All: true, Size: true})
	if err == nil {
		for _, s := range ctrs.Items {
			du.Containers.TotalCount++
			du.Containers.TotalSize += s.SizeRw
			if s.State == "running" || s.State == "paused" || s.State == "restarting" {
				du.Containers.ActiveCount++
			} else {
				du.Containers.Reclaimable += s.SizeRw
			}
		}
		du.Containers.Items = ctrs.Items
	}
	vols, err := c.VolumeList(ctx, client.VolumeListOptions{})
	if err == nil {
		for _, v := range vols.Items {
			du.Volumes.TotalCount++
			if v.UsageData != nil && v.UsageData.Size > 0 {
				du.Volumes.TotalSize += v.UsageData.Size
				if v.UsageData.RefCount > 0 {
					du.Volumes.ActiveCount++
				} else {
					du.Volumes.Reclaimable += v.UsageData.Size
				}
			}
		}
		du.Volumes.Items = vols.Items
	}
	return du, nil
}

var dfHeaders = map[string]string{"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE", "Reclaimable": "RECLAIMABLE"}

// dfRow is one line of `system df`, with Docker's field names.
type dfRow struct {
	Active      string
	Reclaimable string
	Size        string
	TotalCount  string
	Type        string
}

func dfRows(du client.DiskUsageResult) []any {
	row := func(typ string, total, active, size, reclaimable int64) dfRow {
		r := dfRow{Type: typ, TotalCount: fmt.Sprint(total), Active: fmt.Sprint(active),
			Size: units.HumanSizeWithPrecision(float64(size), 3), Reclaimable: units.HumanSizeWithPrecision(float64(reclaimable), 3)}
		if size > 0 {
			r.Reclaimable += fmt.Sprintf(" (%d%%)", reclaimable*100/size)
		}
		return r
	}
	return []any{
		row("Images", du.Images.TotalCount, du.Images.ActiveCount, du.Images.TotalSize, du.Images.Reclaimable),
		row("Containers", du.Containers.TotalCount, du.Containers.ActiveCount, du.Containers.TotalSize, du.Containers.Reclaimable),
		row("Local Volumes", du.Volumes.TotalCount, du.Volumes.ActiveCount, du.Volumes.TotalSize, du.Volumes.Reclaimable),
		row("Build Cache", du.BuildCache.TotalCount, du.BuildCache.ActiveCount, du.BuildCache.TotalSize, du.BuildCache.Reclaimable),
	}
}

// writeDfVerbose lists each image, container and volume after the summary.
func writeDfVerbose(w io.Writer, du client.DiskUsageResult) {
	now := time.Now()
	fmt.Fprintln(w, "\nImages space usage:")
	tw := tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\tCONTAINERS")
	for _, i := range du.Images.Items {
		for _, r := range imageRows(i, imagesOptions{}, now) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Repository, r.Tag, r.ID, r.CreatedSince, r.Size, r.Containers)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nContainers space usage:")
	tw = tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER ID\tIMAGE\tCOMMAND\tLOCAL VOLUMES\tSIZE\tCREATED\tSTATUS\tNAMES")
	for _, s := range du.Containers.Items {
		r := newPsRow(s, false, now)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Image, r.Command, r.LocalVolumes,
			units.HumanSizeWithPrecision(float64(s.SizeRw), 3), r.RunningFor, r.Status, r.Names)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nLocal Volumes space usage:")
	tw = tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
	fmt.Fprintln(tw, "VOLUME NAME\tLINKS\tSIZE")
	for _, v := range du.Volumes.Items {
		links, size := "N/A", "N/A"
		if v.UsageData != nil {
			links, size = fmt.Sprint(v.UsageData.RefCount), units.HumanSizeWithPrecision(float64(v.UsageData.Size), 3)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", strings.TrimSpace(v.Name), links, size)
	}
	tw.Flush()
}
