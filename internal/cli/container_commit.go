package cli

import (
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newCommitCommand(g *globalOptions) *cobra.Command {
	var message, author string
	var changes []string
	var pause bool
	cmd := &cobra.Command{
		Use:   "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
		Short: "Create a new image from a container's changes",
		Long: `Make an image of the container's image plus a layer holding its changes
(deleted files become whiteouts), and print the new image's ID. -c applies
Dockerfile instructions (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD,
USER, VOLUME, WORKDIR, STOPSIGNAL) to the new image's config. The container is
paused while the layer is taken, unless -p=false.`,
		Example: `  berth commit web web:snapshot
  berth commit -m "add config" -a "Ann <ann@example.com>" -c 'CMD ["httpd","-f"]' web me/web:v2`,
		Args:              rangeArgs(1, 2),
		ValidArgsFunction: completeContainers(g, true),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			opts := client.ContainerCommitOptions{Comment: message, Author: author, Changes: changes, NoPause: !pause}
			if len(args) == 2 {
				opts.Reference = args[1]
			}
			res, err := c.ContainerCommit(cmd.Context(), args[0], opts)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), res.ID)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&message, "message", "m", "", "commit message")
	f.StringVarP(&author, "author", "a", "", `author (e.g., "John Hannibal Smith <hannibal@a-team.com>")`)
	f.StringArrayVarP(&changes, "change", "c", nil, "apply Dockerfile instruction to the created image")
	f.BoolVarP(&pause, "pause", "p", true, "pause container during commit")
	return cmd
}

// updateOptions are the flags of `update`: the resources and restart
// policy a running container may change.
type updateOptions struct {
	memory, memorySwap, memoryReservation, cpus, cpusetCpus, restart string
	cpuShares, pidsLimit                                             int64
}

func newUpdateCommand(g *globalOptions) *cobra.Command {
	var o updateOptions
	cmd := &cobra.Command{
		Use:   "update [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Update configuration of one or more containers",
		Long: `Change the resource limits or restart policy of containers, running or
not; only the flags given change.`,
		Example: `  berth update --memory 256m --cpus 1 web
  berth update --restart unless-stopped web db`,
		Args:              minArgs(1),
		ValidArgsFunction: completeContainers(g, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := o.toUpdateOptions(cmd.Flags().Changed)
			if err != nil {
				return inputUsageError(cmd, err)
			}
			return forEachContainer(cmd, g, args, func(c *client.Client, name string) error {
				res, err := c.ContainerUpdate(cmd.Context(), name, opts)
				for _, w := range res.Warnings {
					cmd.PrintErrln("WARNING:", w)
				}
				return err
			})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.memory, "memory", "m", "", "memory limit")
	f.StringVar(&o.memorySwap, "memory-swap", "", "swap limit equal to memory plus swap: -1 to enable unlimited swap")
	f.StringVar(&o.memoryReservation, "memory-reservation", "", "memory soft limit")
	f.StringVar(&o.cpus, "cpus", "", "number of CPUs")
	f.StringVar(&o.cpusetCpus, "cpuset-cpus", "", "CPUs in which to allow execution (0-3, 0,1)")
	f.Int64VarP(&o.cpuShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	f.Int64Var(&o.pidsLimit, "pids-limit", 0, "tune container pids limit (set -1 for unlimited)")
	f.StringVar(&o.restart, "restart", "", "restart policy to apply when a container exits")
	return cmd
}

func (o updateOptions) toUpdateOptions(changed func(string) bool) (client.ContainerUpdateOptions, error) {
	r := &container.Resources{CpusetCpus: o.cpusetCpus, CPUShares: o.cpuShares}
	for _, s := range []struct {
		flag, val string
		dst       *int64
	}{{"memory", o.memory, &r.Memory}, {"memory-reservation", o.memoryReservation, &r.MemoryReservation}} {
		if s.val == "" {
			continue
		}
		n, err := parseSize(s.flag, s.val)
		if err != nil {
			return client.ContainerUpdateOptions{}, err
		}
		*s.dst = n
	}
	if o.memorySwap == "-1" {
		r.MemorySwap = -1
	} else if o.memorySwap != "" {
		n, err := parseSize("memory-swap", o.memorySwap)
		if err != nil {
			return client.ContainerUpdateOptions{}, err
		}
		r.MemorySwap = n
	}
	if o.cpus != "" {
		n, err := parseCPUs(o.cpus)
		if err != nil {
			return client.ContainerUpdateOptions{}, err
		}
		r.NanoCPUs = n
	}
	if changed("pids-limit") {
		n := o.pidsLimit
		r.PidsLimit = &n
	}
	opts := client.ContainerUpdateOptions{Resources: r}
	if o.restart != "" {
		ro := runOptions{restart: o.restart}
		var hc container.HostConfig
		if err := ro.parseRestart(nil, &hc); err != nil {
			return opts, err
		}
		opts.RestartPolicy = &hc.RestartPolicy
	}
	return opts, nil
}
