package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/berthproject/berth/internal/content"
	"github.com/berthproject/berth/internal/image"
	"github.com/berthproject/berth/internal/store"
)

// services are what the daemon builds at start and closes at exit.
type services struct {
	images  *image.Service
	closers []func() error
}

// openServices opens the stores under root, builds the services and runs
// recovery: garbage collection drops what a daemon killed mid-load left
// behind (ingest files, half-loaded images, unreferenced blobs).
func openServices(ctx context.Context, root string, logger *slog.Logger) (_ *services, err error) {
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
