package daemon

import (
	"context"
	"log/slog"
)

// openContainers builds the containers service and sets s.containers; until that service
// lands it leaves it nil and the API serves no containers routes.
func (s *services) openContainers(ctx context.Context, cfg Config, logger *slog.Logger) error {
	return nil
}
