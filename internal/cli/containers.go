package cli

import (
	"fmt"
	"strings"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

// containerCommands are the commands of the `container` group; each is
// also a top-level command, as Docker's (`berth ps` = `berth container ls`).
var containerCommands = []func(*globalOptions) *cobra.Command{
	newRunCommand, newCreateCommand, newStartCommand, newStopCommand, newKillCommand, newRestartCommand,
	newPauseCommand, newUnpauseCommand, newRenameCommand, newWaitCommand, newRmCommand,
	newLogsCommand, newExecCommand, newAttachCommand, newTopCommand, newStatsCommand, newDiffCommand,
	newExportCommand, newCommitCommand, newCpCommand, newPortCommand, newUpdateCommand,
}

// addContainerCommands adds the `container` group, Docker's top-level
// shortcuts (run, ps, rm, logs, exec…), `events` and `system df/prune`.
func addContainerCommands(root *cobra.Command, g *globalOptions) {
	group := &cobra.Command{
		Use:   "container",
		Short: "Manage containers",
		Long:  "Create, run, list, inspect, stop and remove containers, and look into them: logs, exec, top, stats, diff, cp.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	ls := newPsCommand(g)
	ls.Use, ls.Aliases = "ls [OPTIONS]", []string{"list", "ps"}
	group.AddCommand(ls, newContainerInspectCommand(g), newContainerPruneCommand(g))
	root.AddCommand(newPsCommand(g))
	for _, newCmd := range containerCommands {
		group.AddCommand(newCmd(g))
		top := newCmd(g)
		top.Aliases = nil // `container rm` is also `container remove`; the top level has only `rm`
		root.AddCommand(top)
	}
	root.AddCommand(group, newEventsCommand(g))
	addSystemContainerCommands(root, g)
}

// completeContainers completes container names for the commands that take
// one; all says whether stopped containers are offered too.
func completeContainers(g *globalOptions, all bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		c, err := g.connect(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer c.Close()
		res, err := c.ContainerList(cmd.Context(), client.ContainerListOptions{All: all})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []cobra.Completion
		for _, s := range res.Items {
			for _, n := range s.Names {
				n = strings.TrimPrefix(n, "/")
				if strings.HasPrefix(n, toComplete) {
					names = append(names, n)
				}
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// noCompletion offers nothing (image names are completed by no one yet).
func noCompletion(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// forEachContainer runs fn for each named object (containers, and the
// volumes and networks of rm/connect), printing the name on success (as
// Docker's stop/kill/rm/pause do) and each error on its own line; the
// command fails if any did.
func forEachContainer(cmd *cobra.Command, g *globalOptions, names []string, fn func(c *client.Client, name string) error) error {
	return forEachName(cmd, g, names, func(c *client.Client, name string) error {
		if err := fn(c, name); err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), name)
		return nil
	})
}

// forEachName calls fn for each name on one connection, printing each
// failure as Docker does and carrying on; the exit status says whether any
// failed. It prints nothing on success (inspect prints documents).
func forEachName(cmd *cobra.Command, g *globalOptions, names []string, fn func(c *client.Client, name string) error) error {
	c, err := g.connect(cmd.Context())
	if err != nil {
		return err
	}
	defer c.Close()
	var failed error
	for _, name := range names {
		if err := fn(c, name); err != nil {
			cmd.PrintErrln(errorLine(err))
			failed = statusError{code: ExitFailure}
		}
	}
	return failed
}
