// Package cli is berth's command line: cobra commands that parse flags,
// call the daemon's Docker Engine API and print what Docker prints. Each
// command group lives in its own file.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/berthproject/berth/internal/version"
	"github.com/spf13/cobra"
)

// Exit codes, as Docker's.
const (
	ExitOK      = 0
	ExitFailure = 125 // berth's own failure (bad flags, daemon errors, no daemon)
)

// Version is berth's version (internal/version, shared with the daemon).
var Version = version.Version

// globalOptions are the flags every client command shares.
type globalOptions struct {
	hosts []string // -H: the daemon's address for clients, its listen addresses for `berth daemon`
}

// NewRootCommand builds the berth command tree; hosts are the -H values
// given before the command.
func NewRootCommand(hosts []string) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "berth [OPTIONS] COMMAND",
		Short: "A container engine that speaks the Docker Engine API",
		Long: `berth runs OCI images in Linux containers. The berth CLI is a client of the
berth daemon's Docker Engine API; start the daemon with "berth daemon".

The daemon's socket is chosen with -H/--host or the BERTH_HOST environment
variable (default unix:///run/berth/berth.sock).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.SetVersionTemplate("berth version {{.Version}}\n")
	// -H is Docker's global flag, given before the command (`berth -H
	// unix:///x.sock images`); Execute takes it off the arguments, since
	// commands such as history have a -H of their own. It is declared here
	// for --help.
	root.Flags().StringArrayVarP(&g.hosts, "host", "H", nil, "daemon socket to connect to (default $BERTH_HOST or "+defaultHost+")")
	g.hosts = hosts // after the flag's definition, which resets it
	root.CompletionOptions.HiddenDefaultCmd = false

	root.AddCommand(newDaemonCommand(g))
	addSystemCommands(root, g)
	addImageCommands(root, g)
	addRegistryCommands(root, g)
	addContainerCommands(root, g)
	addVolumeCommands(root, g)
	addNetworkCommands(root, g)
	addBuildCommands(root, g)
	return root
}

// Execute runs the CLI with args and returns the process exit code.
func Execute(ctx context.Context, args []string) int {
	hosts, rest, err := splitGlobalFlags(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "berth:", err)
		return ExitFailure
	}
	root := NewRootCommand(hosts)
	root.SetArgs(rest)
	root.SetIn(os.Stdin)
	root.SetOut(os.Stdout)
	root.SetErr(os.Stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return newUsageError(c, "%v", err)
	})
	err = root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var st statusError
	if errors.As(err, &st) {
		if st.msg != "" {
			fmt.Fprintln(os.Stderr, st.msg)
		}
		return st.code
	}
	fmt.Fprintln(os.Stderr, errorLine(err))
	return ExitFailure
}

// usageError is a flag or argument mistake; its message ends with the
// pointer to the command's help, as Docker's do.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func newUsageError(cmd *cobra.Command, format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...) + "\nSee '" + cmd.CommandPath() + " --help'."}
}

// statusError ends the CLI with a given code and message.
type statusError struct {
	code int
	msg  string
}

func (s statusError) Error() string { return s.msg }

// exactArgs is cobra.ExactArgs with Docker's wording.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return newUsageError(cmd, "%q requires exactly %d argument(s).", cmd.CommandPath(), n)
		}
		return nil
	}
}

// minArgs is cobra.MinimumNArgs with Docker's wording.
func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return newUsageError(cmd, "%q requires at least %d argument(s).", cmd.CommandPath(), n)
		}
		return nil
	}
}

// rangeArgs is cobra.RangeArgs with Docker's wording.
func rangeArgs(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			return newUsageError(cmd, "%q requires at least %d and at most %d arguments.", cmd.CommandPath(), lo, hi)
		}
		return nil
	}
}

// splitGlobalFlags takes the -H/--host flags that precede the command name
// off args.
func splitGlobalFlags(args []string) (hosts, rest []string, err error) {
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-H" || a == "--host":
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("flag needs an argument: %s", a)
			}
			hosts = append(hosts, args[i+1])
			i++
		case strings.HasPrefix(a, "--host="):
			hosts = append(hosts, strings.TrimPrefix(a, "--host="))
		case strings.HasPrefix(a, "-H"):
			hosts = append(hosts, strings.TrimPrefix(strings.TrimPrefix(a, "-H"), "="))
		default:
			return hosts, args[i:], nil
		}
	}
	return hosts, nil, nil
}
