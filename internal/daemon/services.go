package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/berthproject/berth/internal/api"
	"github.com/berthproject/berth/internal/content"
	"github.com/berthproject/berth/internal/image"
	"github.com/berthproject/berth/internal/store"
)

// services are what the daemon builds at start and closes at exit.
type services struct {
	db     *store.DB
	images *image.Service
	// Each area's service is built by its own open* function, in its own
	// file; a nil service means the area has no routes yet.
	registry   api.RegistryService
	containers api.ContainerService
	volumes    api.VolumeService
	networks   api.NetworkService
	builder    api.BuildService
	closers    []func() error
}

// openServices opens the stores under root, builds the services and runs
// recovery: garbage collection drops what a daemon killed mid-load left
// behind (ingest files, half-loaded images, unreferenced blobs).
func openServices(ctx context.Context, cfg Config, logger *slog.Logger) (_ *services, err error) {
	root := cfg.Root
	s := &services{}
	defer func() {
		if err != nil {
			_ = s.close()
		}
	}()
	db, err := store.Open(filepath.Join(root, "metadata.db"))
	if err != nil {
		return nil, fmt.Errorf("open metadata store: %w", err)
	}
	s.db = db
	s.closers = append(s.closers, db.Close)
	cs, err := content.Open(filepath.Join(root, "content"))
	if err != nil {
		return nil, fmt.Errorf("open content store: %w", err)
	}
	if s.images, err = image.NewService(db, cs); err != nil {
		return nil, fmt.Errorf("image service: %w", err)
	}
	if err := s.images.GarbageCollect(ctx); err != nil {
		return nil, fmt.Errorf("recover image store: %w", err)
	}
	logger.Debug("stores opened", "root", root)
	// The order matters: containers use volumes and networks.
	for _, open := range []func(context.Context, Config, *slog.Logger) error{
		s.openRegistry, s.openVolumes, s.openNetworks, s.openContainers, s.openBuilder,
	} {
		if err := open(ctx, cfg, logger); err != nil {
			return nil, err
		}
	}
	return s, nil
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
