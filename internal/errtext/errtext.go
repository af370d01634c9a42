// Package errtext words berth's errors for users as Docker words its own:
// the errdefs class that fmt.Errorf("…: %w", errdefs.ErrX) appends to a
// message (": invalid argument") is not shown. The daemon sends the class
// as the HTTP status, the CLI as its exit code; errors.Is still reads it.
package errtext

import (
	"errors"
	"strings"

	"github.com/containerd/errdefs"
)

// classes are errdefs' sentinels, whose names are not for the user.
var classes = []error{
	errdefs.ErrUnknown, errdefs.ErrInvalidArgument, errdefs.ErrNotFound, errdefs.ErrAlreadyExists,
	errdefs.ErrPermissionDenied, errdefs.ErrResourceExhausted, errdefs.ErrFailedPrecondition, errdefs.ErrConflict,
	errdefs.ErrNotModified, errdefs.ErrAborted, errdefs.ErrOutOfRange, errdefs.ErrNotImplemented,
	errdefs.ErrInternal, errdefs.ErrUnavailable, errdefs.ErrDataLoss, errdefs.ErrUnauthenticated,
}

// Plain is err's text without the trailing name of a class err carries.
// Only a class found with errors.Is is dropped, and a message that is
// nothing but the class name ("not found") is kept: there is nothing else
// to say.
func Plain(err error) string {
	msg := err.Error()
	for _, class := range classes {
		if !errors.Is(err, class) {
			continue
		}
		if trimmed, ok := strings.CutSuffix(msg, ": "+class.Error()); ok && trimmed != "" {
			msg = trimmed
		}
	}
	return msg
}
