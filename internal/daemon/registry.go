package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/berthproject/berth/internal/registry"
)

// openRegistry builds the registry service over the image service.
func (s *services) openRegistry(ctx context.Context, cfg Config, logger *slog.Logger) error {
	reg, err := registry.New(registry.Config{
		Insecure:  cfg.InsecureRegistries,
		Mirrors:   cfg.RegistryMirrors,
		CertsDir:  cfg.CertsDir,
		StateDir:  filepath.Join(cfg.Root, "registry"),
		UserAgent: "berth/" + cfg.Version,
	}, s.images)
	if err != nil {
		return fmt.Errorf("registry configuration: %w", err)
	}
	s.registry = reg
	logger.Debug("registry service ready", "insecure", cfg.InsecureRegistries, "mirrors", cfg.RegistryMirrors)
	return nil
}
