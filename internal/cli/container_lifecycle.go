package cli

import (
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newStartCommand(g *globalOptions) *cobra.Command {
	var attach, interactive bool
	var detachKeys string
	cmd := &cobra.Command{
		Use:   "start [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Start one or more stopped containers",
		Long: `Start created or stopped containers. With -a, attach to the container's
output, wait for it to exit and exit with its code (one container only).`,
		Example: `  berth start web
  berth start -a -i job`,
		Args:              minArgs(1),
		ValidArgsFunction: completeContainers(g, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			if attach || interactive {
				if len(args) > 1 {
					return newUsageError(cmd, "you cannot start and attach multiple containers at once")
				}
				c, err := g.connect(cmd.Context())
				if err != nil {
					return err
				}
				defer c.Close()
				res, err := c.ContainerInspect(cmd.Context(), args[0], client.ContainerInspectOptions{})
				if err != nil {
					return err
				}
				cfg := res.Container.Config
				tty := cfg != nil && cfg.Tty
				autoRemove := res.Container.HostConfig != nil && res.Container.HostConfig.AutoRemove
				return attachStartWait(cmd, c, res.Container.ID, attachSpec{
					stdin: interactive && cfg != nil && cfg.OpenStdin, tty: tty, sigProxy: !tty, detachKeys: detachKeys, autoRemove: autoRemove})
			}
			return forEachContainer(cmd, g, args, func(c *client.Client, name string) error {
				_, err := c.ContainerStart(cmd.Context(), name, client.ContainerStartOptions{})
				return err
			})
		},
	}
	cmd.Flags().BoolVarP(&attach, "attach", "a", false, "attach STDOUT/STDERR and forward signals")
	cmd.Flags().BoolVarP(&interactive, "interactive", "i", false, "attach the container's STDIN")
	cmd.Flags().StringVar(&detachKeys, "detach-keys", "", "override the key sequence for detaching a container")
	return cmd
}

// newStopLikeCommand builds stop and restart, which share -t and -s.
func newStopLikeCommand(g *globalOptions, use, short, long string, do func(c *client.Client, cmd *cobra.Command, name, signal string, timeout *int) error) *cobra.Command {
	var timeout int
	var signal string
	cmd := &cobra.Command{
		Use:               use + " [OPTIONS] CONTAINER [CONTAINER...]",
		Short:             short,
		Long:              long,
		Example:           "  berth " + use + " web\n  berth " + use + " -t 2 web db",
		Args:              minArgs(1),
		ValidArgsFunction: completeContainers(g, use == "restart"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var t *int
			if cmd.Flags().Changed("timeout") {
				t = &timeout
			}
			return forEachContainer(cmd, g, args, func(c *client.Client, name string) error {
				return do(c, cmd, name, signal, t)
			})
		},
	}
	cmd.Flags().IntVarP(&timeout, "timeout", "t", 0, "seconds to wait before killing the container (default: the container's --stop-timeout, else 10)")
	cmd.Flags().StringVarP(&signal, "signal", "s", "", "signal to send to the container (default: the image's STOPSIGNAL, else SIGTERM)")
	return cmd
}

func newStopCommand(g *globalOptions) *cobra.Command {
	return newStopLikeCommand(g, "stop", "Stop one or more running containers",
		"Send the stop signal to each container, then SIGKILL after the timeout if it is still running.",
		func(c *client.Client, cmd *cobra.Command, name, signal string, t *int) error {
			_, err := c.ContainerStop(cmd.Context(), name, client.ContainerStopOptions{Signal: signal, Timeout: t})
			return err
		})
}

func newRestartCommand(g *globalOptions) *cobra.Command {
	return newStopLikeCommand(g, "restart", "Restart one or more containers",
		"Stop each container as \"berth stop\" does, then start it again.",
		func(c *client.Client, cmd *cobra.Command, name, signal string, t *int) error {
			_, err := c.ContainerRestart(cmd.Context(), name, client.ContainerRestartOptions{Signal: signal, Timeout: t})
			return err
		})
}

func newKillCommand(g *globalOptions) *cobra.Command {
	var signal string
	cmd := &cobra.Command{
		Use:               "kill [OPTIONS] CONTAINER [CONTAINER...]",
		Short:             "Kill one or more running containers",
		Long:              "Send a signal (default SIGKILL) to the main process of each container.",
		Example:           "  berth kill web\n  berth kill -s HUP web",
		Args:              minArgs(1),
		ValidArgsFunction: completeContainers(g, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			return forEachContainer(cmd, g, args, func(c *client.Client, name string) error {
				_, err := c.ContainerKill(cmd.Context(), name, client.ContainerKillOptions{Signal: signal})
				return err
			})
		},
	}
	cmd.Flags().StringVarP(&signal, "signal", "s", "", "signal to send to the container (default SIGKILL)")
	return cmd
}

// newSimpleContainerCommand builds commands that take containers and no flags.
func newSimpleContainerCommand(g *globalOptions, use, short, long string, all bool, do func(c *client.Client, cmd *cobra.Command, name string) error) *cobra.Command {
	return &cobra.Command{
		Use:               use + " CONTAINER [CONTAINER...]",
		Short:             short,
		Long:              long,
		Example:           "  berth " + use + " web",
		Args:              minArgs(1),
		ValidArgsFunction: completeContainers(g, all),
		RunE: func(cmd *cobra.Command, args []string) error {
			return forEachContainer(cmd, g, args, func(c *client.Client, name string) error { return do(c, cmd, name) })
		},
	}
}

func newPauseCommand(g *globalOptions) *cobra.Command {
	return newSimpleContainerCommand(g, "pause", "Pause all processes within one or more containers",
		"Freeze every process of each container (cgroup freezer).", false,
		func(c *client.Client, cmd *cobra.Command, name string) error {
			_, err := c.ContainerPause(cmd.Context(), name, client.ContainerPauseOptions{})
			return err
		})
}

func newUnpauseCommand(g *globalOptions) *cobra.Command {
	return newSimpleContainerCommand(g, "unpause", "Unpause all processes within one or more containers",
		"Thaw the processes of each paused container.", false,
		func(c *client.Client, cmd *cobra.Command, name string) error {
			_, err := c.ContainerUnpause(cmd.Context(), name, client.ContainerUnpauseOptions{})
			return err
		})
}

func newRenameCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:               "rename CONTAINER NEW_NAME",
		Short:             "Rename a container",
		Long:              "Give a container a new name; the name must not be in use.",
		Example:           "  berth rename web web-old",
		Args:              exactArgs(2),
		ValidArgsFunction: completeContainers(g, true),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			_, err := c.ContainerRename(cmd.Context(), args[0], client.ContainerRenameOptions{NewName: args[1]})
			return err
		}),
	}
}

func newWaitCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:               "wait CONTAINER [CONTAINER...]",
		Short:             "Block until one or more containers stop, then print their exit codes",
		Long:              "Wait for each container to stop and print its exit code, one line per container.",
		Example:           "  berth wait job",
		Args:              minArgs(1),
		ValidArgsFunction: completeContainers(g, true),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			var failed error
			for _, name := range args {
				w := c.ContainerWait(cmd.Context(), name, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
				select {
				case res := <-w.Result:
					fmt.Fprintln(cmd.OutOrStdout(), res.StatusCode)
				case err := <-w.Error:
					cmd.PrintErrln(errorLine(err))
					failed = statusError{code: ExitFailure}
				}
			}
			return failed
		}),
	}
}

func newRmCommand(g *globalOptions) *cobra.Command {
	var force, volumes bool
	cmd := &cobra.Command{
		Use:     "rm [OPTIONS] CONTAINER [CONTAINER...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more containers",
		Long: `Remove containers. A running container is refused unless -f, which kills
it first. -v also removes the container's anonymous volumes.`,
		Example:           "  berth rm job\n  berth rm -f web\n  berth rm -v $(berth ps -aq -f status=exited)",
		Args:              minArgs(1),
		ValidArgsFunction: completeContainers(g, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			return forEachContainer(cmd, g, args, func(c *client.Client, name string) error {
				_, err := c.ContainerRemove(cmd.Context(), name, client.ContainerRemoveOptions{Force: force, RemoveVolumes: volumes})
				return err
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force the removal of a running container (uses SIGKILL)")
	cmd.Flags().BoolVarP(&volumes, "volumes", "v", false, "remove anonymous volumes associated with the container")
	return cmd
}
