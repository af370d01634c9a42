package daemon

import (
	"context"
	"log/slog"
)

// openBuilder builds the Dockerfile builder and sets s.builder; until that
// service lands it leaves it nil and the API serves no build routes.
func (s *services) openBuilder(ctx context.Context, cfg Config, logger *slog.Logger) error {
	return nil
}
