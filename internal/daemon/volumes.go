package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/berthproject/berth/internal/volume"
)

// openVolumes builds the volume service over <root>/volumes.
func (s *services) openVolumes(ctx context.Context, cfg Config, logger *slog.Logger) error {
	vs, err := volume.New(s.db, filepath.Join(cfg.Root, "volumes"))
	if err != nil {
		return fmt.Errorf("volume service: %w", err)
	}
	s.volumes = vs
	return nil
}
