package cli

import (
	"errors"
	"fmt"

	"github.com/berthproject/berth/internal/errtext"
	"github.com/containerd/errdefs"
	"github.com/spf13/cobra"
)

// invalidInput is a value the CLI itself rejects before asking the daemon.
// It is classified as invalid input (errdefs.IsInvalidArgument holds) but
// its text is only the message: Docker's CLI never prints a class name.
type invalidInput struct{ msg string }

func (e invalidInput) Error() string { return e.msg }
func (invalidInput) Unwrap() error   { return errdefs.ErrInvalidArgument }

// invalidf is a bad-flag error, classified as invalid input.
func invalidf(format string, args ...any) error {
	return invalidInput{fmt.Sprintf(format, args...)}
}

// flagValueError is a flag value that does not parse, worded as pflag's
// errors in Docker's CLI: invalid argument "12x" for "-m, --memory" flag:
// invalid suffix: 'x'. flag is the long name; the command that reports it
// adds the shorthand (inputUsageError).
type flagValueError struct{ flag, value, reason string }

func (e flagValueError) Error() string { return e.text("--" + e.flag) }
func (flagValueError) Unwrap() error   { return errdefs.ErrInvalidArgument }

func (e flagValueError) text(title string) string {
	return fmt.Sprintf("invalid argument %q for %q flag: %s", e.value, title, e.reason)
}

// inputUsageError reports bad input found by cmd's own flag parsing as a
// usage error (exit 125, pointing at --help), in Docker's words.
func inputUsageError(cmd *cobra.Command, err error) error {
	msg := errtext.Plain(err)
	var fv flagValueError
	if errors.As(err, &fv) {
		title := "--" + fv.flag
		if f := cmd.Flags().Lookup(fv.flag); f != nil && f.Shorthand != "" {
			title = "-" + f.Shorthand + ", " + title
		}
		msg = fv.text(title)
	}
	return newUsageError(cmd, "%s", msg)
}
