package cli

import (
	"fmt"
	"sort"

	"github.com/docker/go-units"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func humanSize(n int64) string { return units.HumanSizeWithPrecision(float64(n), 3) }

func newVolumeCreateCommand(g *globalOptions) *cobra.Command {
	var driver string
	var labels, opts []string
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] [VOLUME]",
		Short: "Create a volume",
		Long: `Create a named volume (a random name when none is given) and print its
name. The local driver takes the options type, device and o, as mount(8):
-o type=tmpfs -o device=tmpfs -o o=size=64m.`,
		Example: `  berth volume create data
  berth volume create --label app=web web-data
  berth volume create -o type=tmpfs -o device=tmpfs -o o=size=64m scratch`,
		Args: rangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := parseKV(cmd, "label", labels)
			if err != nil {
				return err
			}
			o, err := parseKV(cmd, "opt", opts)
			if err != nil {
				return err
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			req := client.VolumeCreateOptions{Driver: driver, Labels: l, DriverOpts: o}
			if len(args) == 1 {
				req.Name = args[0]
			}
			res, err := c.VolumeCreate(cmd.Context(), req)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), res.Volume.Name)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&driver, "driver", "d", "local", "specify volume driver name")
	f.StringArrayVar(&labels, "label", nil, "set metadata for a volume")
	f.StringArrayVarP(&opts, "opt", "o", nil, "set driver specific options")
	return cmd
}

func newVolumeLsCommand(g *globalOptions) *cobra.Command {
	var quiet bool
	var format string
	var filterFlags []string
	cmd := &cobra.Command{
		Use:     "ls [OPTIONS]",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Long: `List volumes by name. Filters (-f key=value): dangling=true|false (not
used by any container), driver=, label=KEY[=VALUE], name=.
--format takes a Go template over .Name .Driver .Scope .Mountpoint
.Labels .Label "KEY" .CreatedAt; "table TEMPLATE" adds headers, "json"
prints one JSON object per line.`,
		Example: `  berth volume ls
  berth volume ls -q -f dangling=true
  berth volume ls --format '{{.Name}} {{.Mountpoint}}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filters, err := parseFilterFlags(cmd, filterFlags)
			if err != nil {
				return err
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			res, err := c.VolumeList(cmd.Context(), client.VolumeListOptions{Filters: filters})
			if err != nil {
				return err
			}
			for _, w := range res.Warnings {
				cmd.PrintErrln("WARNING:", w)
			}
			items := res.Items
			sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
			rows := make([]any, 0, len(items))
			for _, v := range items {
				rows = append(rows, newVolumeRow(v))
			}
			lf := listFormat{format: format, headers: volumeHeaders, defaultTable: "{{.Driver}}\t{{.Name}}"}
			if quiet && format == "" {
				lf.format = "{{.Name}}"
			}
			return lf.write(cmd.OutOrStdout(), rows)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&quiet, "quiet", "q", false, "only display volume names")
	f.StringArrayVarP(&filterFlags, "filter", "f", nil, "provide filter values (e.g. 'dangling=true')")
	f.StringVar(&format, "format", "", "format output using a Go template, 'table TEMPLATE' or 'json'")
	return cmd
}

func newVolumeInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:               "inspect [OPTIONS] VOLUME [VOLUME...]",
		Short:             "Display detailed information on one or more volumes",
		Long:              "Print the daemon's JSON description of each volume, as an array; --format applies a Go template to each instead.",
		Example:           "  berth volume inspect data\n  berth volume inspect --format '{{.Mountpoint}}' data",
		Args:              minArgs(1),
		ValidArgsFunction: completeVolumes(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runObjectInspect(cmd, g, "volume", format, false, args)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format output using a Go template, or 'json'")
	return cmd
}

func newVolumeRmCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:               "rm [OPTIONS] VOLUME [VOLUME...]",
		Aliases:           []string{"remove"},
		Short:             "Remove one or more volumes",
		Long:              "Remove volumes and their data. A volume in use by a container is refused.",
		Example:           "  berth volume rm data\n  berth volume rm $(berth volume ls -q -f dangling=true)",
		Args:              minArgs(1),
		ValidArgsFunction: completeVolumes(g),
		RunE: func(cmd *cobra.Command, args []string) error {
			return forEachContainer(cmd, g, args, func(c *client.Client, name string) error {
				_, err := c.VolumeRemove(cmd.Context(), name, client.VolumeRemoveOptions{Force: force})
				return err
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force the removal of one or more volumes")
	return cmd
}

func newVolumePruneCommand(g *globalOptions) *cobra.Command {
	var all, force bool
	var filterFlags []string
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused local volumes",
		Long: `Remove the anonymous volumes no container uses, or with -a every unused
volume, named ones included. Asks for confirmation unless -f.`,
		Example: "  berth volume prune\n  berth volume prune -a -f --filter label=tmp",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filters, err := parseFilterFlags(cmd, filterFlags)
			if err != nil {
				return err
			}
			warning := "WARNING! This will remove anonymous local volumes not used by at least one container."
			if all {
				warning = "WARNING! This will remove all local volumes not used by at least one container."
			}
			if !force && !confirm(cmd, warning) {
				return nil
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			res, err := c.VolumePrune(cmd.Context(), client.VolumePruneOptions{All: all, Filters: filters})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(res.Report.VolumesDeleted) > 0 {
				fmt.Fprintln(out, "Deleted Volumes:")
				for _, v := range res.Report.VolumesDeleted {
					fmt.Fprintln(out, v)
				}
				fmt.Fprintln(out)
			}
			fmt.Fprintln(out, "Total reclaimed space:", units.HumanSize(float64(res.Report.SpaceReclaimed)))
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&all, "all", "a", false, "remove all unused volumes, not just anonymous ones")
	f.BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	f.StringArrayVar(&filterFlags, "filter", nil, "provide filter values (e.g. 'label=<label>')")
	return cmd
}
