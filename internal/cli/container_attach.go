package cli

import (
	"context"
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newAttachCommand(g *globalOptions) *cobra.Command {
	var noStdin, sigProxy bool
	var detachKeys string
	cmd := &cobra.Command{
		Use:   "attach [OPTIONS] CONTAINER",
		Short: "Attach local standard input, output, and error streams to a running container",
		Long: `Connect the terminal to a running container's main process: its output
is shown, and (unless --no-stdin) what is typed is its input. With a tty,
ctrl-p ctrl-q (--detach-keys) detaches and leaves the container running.
berth exits with the container's exit code when it stops.`,
		Example: `  berth attach web
  berth attach --no-stdin --sig-proxy=false web`,
		Args:              exactArgs(1),
		ValidArgsFunction: completeContainers(g, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := g.connect(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			ins, err := c.ContainerInspect(ctx, args[0], client.ContainerInspectOptions{})
			if err != nil {
				return err
			}
			ct := ins.Container
			if ct.State == nil || !ct.State.Running {
				return fmt.Errorf("cannot attach to a stopped container, start it first")
			}
			if ct.State.Paused {
				return fmt.Errorf("cannot attach to a paused container, unpause it first")
			}
			tty := ct.Config != nil && ct.Config.Tty
			stdin := !noStdin && ct.Config != nil && ct.Config.OpenStdin
			keys := detachKeys
			if keys == "" && tty {
				keys = defaultDetachKeys
			}
			resp, err := c.ContainerAttach(ctx, ct.ID, client.ContainerAttachOptions{
				Stream: true, Stdin: stdin, Stdout: true, Stderr: true, DetachKeys: detachKeys})
			if err != nil {
				return err
			}
			s := stdio{out: cmd.OutOrStdout(), err: cmd.ErrOrStderr(), tty: tty, detachKeys: keys}
			if stdin {
				s.in = cmd.InOrStdin()
				if tty {
					defer rawTerminal(s.in)()
				}
			}
			if tty {
				defer followResize(ctx, s.out, func(ctx context.Context, h, w uint) error {
					_, err := c.ContainerResize(ctx, ct.ID, client.ContainerResizeOptions{Height: h, Width: w})
					return err
				})()
			}
			if sigProxy && !tty {
				defer proxySignals(ctx, c, ct.ID)()
			}
			if err := pump(ctx, resp.HijackedResponse, s); err != nil {
				if err == errDetached {
					return nil
				}
				return err
			}
			w := c.ContainerWait(ctx, ct.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
			select {
			case res := <-w.Result:
				if res.StatusCode != 0 {
					return statusError{code: int(res.StatusCode)}
				}
				return nil
			case err := <-w.Error:
				return err
			}
		},
	}
	cmd.Flags().BoolVar(&noStdin, "no-stdin", false, "do not attach STDIN")
	cmd.Flags().BoolVar(&sigProxy, "sig-proxy", true, "proxy all received signals to the process")
	cmd.Flags().StringVar(&detachKeys, "detach-keys", "", "override the key sequence for detaching a container")
	return cmd
}
