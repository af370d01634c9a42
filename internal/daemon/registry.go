package daemon

import (
	"context"
	"log/slog"
)

// openRegistry builds the registry service and sets s.registry; until that service
// lands it leaves it nil and the API serves no registry routes.
func (s *services) openRegistry(ctx context.Context, cfg Config, logger *slog.Logger) error {
	return nil
}
