package daemon

import (
	"context"
	"log/slog"
)

// openNetworks builds the networks service and sets s.networks; until that service
// lands it leaves it nil and the API serves no networks routes.
func (s *services) openNetworks(ctx context.Context, cfg Config, logger *slog.Logger) error {
	return nil
}
