// Package cli is berth's command line: cobra commands that parse flags,
// call the daemon's Docker Engine API and print what Docker prints. Each
// command group lives in its own file.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes, as Docker's.
const (
	ExitOK      = 0
	ExitFailure = 125 // berth's own failure (bad flags, daemon errors, no daemon)
)

// Version is berth's version; cmd/berth may override it at link time.
var Version = "0.1.0-dev"

// globalOptions are the flags every client command shares.
type globalOptions struct {
	hosts []string // -H: the daemon's address for clients, its listen addresses for `berth daemon`
}

// NewRootCommand builds the berth command tree.
func NewRootCommand() *cobra.Command {
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
	root.PersistentFlags().StringArrayVarP(&g.hosts, "host", "H", nil,
		"daemon socket to connect to, or for \"berth daemon\" to listen on (default $BERTH_HOST or "+defaultHost+")")
	root.CompletionOptions.HiddenDefaultCmd = false

	root.AddCommand(newDaemonCommand(g))
	addSystemCommands(root, g)
	addImageCommands(root, g)
	return root
}

// Execute runs the CLI with args and returns the process exit code.
func Execute(ctx context.Context, args []string) int {
	root := NewRootCommand()
	root.SetArgs(args)
	root.SetIn(os.Stdin)
	root.SetOut(os.Stdout)
	root.SetErr(os.Stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return newUsageError(c, "%v", err)
	})
	err := root.ExecuteContext(ctx)
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
