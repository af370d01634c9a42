package daemon

import (
	"context"
	"log/slog"
)

// openVolumes builds the volumes service and sets s.volumes; until that service
// lands it leaves it nil and the API serves no volumes routes.
func (s *services) openVolumes(ctx context.Context, cfg Config, logger *slog.Logger) error {
	return nil
}
