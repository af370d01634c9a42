package errtext

import (
	"errors"
	"fmt"
	"testing"

	"github.com/containerd/errdefs"
)

func TestPlainDropsOnlyTheClassSuffix(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("unknown instruction: FROBNICATE: %w", errdefs.ErrInvalidArgument), "unknown instruction: FROBNICATE"},
		{fmt.Errorf("network web has active endpoints (db): %w", errdefs.ErrConflict), "network web has active endpoints (db)"},
		{fmt.Errorf("wrapped: %w", fmt.Errorf("invalid port spec %q: %w", "x", errdefs.ErrInvalidArgument)), `wrapped: invalid port spec "x"`},
		{errdefs.ErrNotFound.WithMessage("No such image: nosuch:latest"), "No such image: nosuch:latest"},
		{errdefs.ErrNotFound, "not found"}, // nothing else to say: keep it
		{errors.New("plain failure"), "plain failure"},
		// Text that merely ends like a class name, without the class.
		{errors.New("lookup registry: not found"), "lookup registry: not found"},
		{errors.New("image: not found here"), "image: not found here"},
	} {
		if got := Plain(c.err); got != c.want {
			t.Errorf("Plain(%q) = %q, want %q", c.err, got, c.want)
		}
	}
}
