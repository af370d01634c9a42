package cli

import (
	"errors"
	"io"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newLogsCommand(g *globalOptions) *cobra.Command {
	var o client.ContainerLogsOptions
	cmd := &cobra.Command{
		Use:   "logs [OPTIONS] CONTAINER",
		Short: "Fetch the logs of a container",
		Long: `Print what the container wrote to its stdout and stderr (on the client's
stdout and stderr). -f follows the log until the container stops.

--since and --until take a timestamp (2026-01-02T15:04:05Z, 2026-01-02,
a Unix time) or a duration relative to now (10m, 1h30m).`,
		Example: `  berth logs web
  berth logs -f --tail 10 web
  berth logs -t --since 10m --until 5m web`,
		Args:              exactArgs(1),
		ValidArgsFunction: completeContainers(g, true),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			ctx := cmd.Context()
			ins, err := c.ContainerInspect(ctx, args[0], client.ContainerInspectOptions{})
			if err != nil {
				return err
			}
			o.ShowStdout, o.ShowStderr = true, true
			rc, err := c.ContainerLogs(ctx, ins.Container.ID, o)
			if err != nil {
				return err
			}
			defer rc.Close()
			// A tty container's log is one raw stream; otherwise it is framed.
			if ins.Container.Config != nil && ins.Container.Config.Tty {
				_, err = io.Copy(cmd.OutOrStdout(), rc)
			} else {
				_, err = stdcopy.StdCopy(cmd.OutOrStdout(), cmd.ErrOrStderr(), rc)
			}
			if err != nil && !errors.Is(err, io.EOF) && ctx.Err() == nil {
				return err
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Follow, "follow", "f", false, "follow log output")
	f.StringVarP(&o.Tail, "tail", "n", "all", "number of lines to show from the end of the logs")
	f.StringVar(&o.Since, "since", "", "show logs since timestamp or relative duration (e.g. 42m)")
	f.StringVar(&o.Until, "until", "", "show logs before a timestamp or relative duration (e.g. 42m)")
	f.BoolVarP(&o.Timestamps, "timestamps", "t", false, "show timestamps")
	f.BoolVar(&o.Details, "details", false, "show extra details provided to logs")
	return cmd
}
