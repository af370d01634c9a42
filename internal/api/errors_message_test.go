package api

import (
	"fmt"
	"testing"

	"github.com/berthproject/berth/internal/errtext"
	"github.com/containerd/errdefs"
)

func TestDockerMessageDropsTheClassSuffix(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("unknown instruction: FROBNICATE: %w", errdefs.ErrInvalidArgument), "unknown instruction: FROBNICATE"},
		{fmt.Errorf("network web has active endpoints (db): %w", errdefs.ErrConflict), "network web has active endpoints (db)"},
		{errdefs.ErrNotFound.WithMessage("No such image: nosuch:latest"), "No such image: nosuch:latest"},
		{errdefs.ErrNotFound, "not found"}, // nothing else to say: keep it
		{fmt.Errorf("plain failure"), "plain failure"},
	}
	for _, c := range cases {
		if got := errtext.Plain(c.err); got != c.want {
			t.Errorf("errtext.Plain(%q) = %q, want %q", c.err, got, c.want)
		}
		if StatusFor(c.err) == 0 {
			t.Errorf("no status for %v", c.err)
		}
	}
}
