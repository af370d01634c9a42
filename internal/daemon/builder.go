package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/berthproject/berth/internal/build"
	"github.com/berthproject/berth/internal/runtime"
	"github.com/berthproject/berth/internal/snapshot"
)

// openBuilder builds the Dockerfile builder and sets s.builder. The
// builder keeps its own snapshotter root (<root>/builder) and runtime
// state (<exec-root>/builder): its RUN containers are not the container
// service's, and two snapshotters must not share a directory.
func (s *services) openBuilder(ctx context.Context, cfg Config, logger *slog.Logger) error {
	root := filepath.Join(cfg.Root, "builder")
	sn, err := snapshot.New(ctx, root)
	if err != nil {
		return fmt.Errorf("builder snapshots: %w", err)
	}
	b, err := build.New(ctx, build.Config{
		Images:    s.images,
		DB:        s.db,
		Snapshots: sn,
		Runtime:   runtime.New(filepath.Join(cfg.ExecRoot, "builder")),
		WorkDir:   filepath.Join(root, "tmp"),
	})
	if err != nil {
		return err
	}
	s.builder = b
	logger.Debug("builder ready", "snapshotter", sn.Name())
	return nil
}
