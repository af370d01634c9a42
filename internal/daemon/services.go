package daemon

import (
	"context"
	"log/slog"
)

// services are what the daemon builds at start and closes at exit.
type services struct {
	images interface {
		Count(ctx context.Context) (int, error)
	}
	closers []func() error
}

// openServices opens the stores under root and builds the services.
// The image store lands with internal/image; until then /info counts none.
func openServices(_ context.Context, _ string, _ *slog.Logger) (*services, error) {
	return &services{images: noImages{}}, nil
}

func (s *services) close() error {
	var first error
	for i := len(s.closers) - 1; i >= 0; i-- {
		if err := s.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	return first
}

type noImages struct{}

func (noImages) Count(context.Context) (int, error) { return 0, nil }
