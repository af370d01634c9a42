package registry

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/berthproject/berth/internal/image"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// A layer is recorded only when its whole image is, and the daemon's
// start-up garbage collection deletes unrecorded blobs. So that a pull
// cut short by a crash does not download its finished layers again, each
// finished layer gets a hard link under StateDir/layers (no copy), which
// outlives the collection; the next pull of it verifies and stores it from
// there, and a successful pull drops the links of its layers.

func (s *Service) finishedPath(desc ocispec.Descriptor) string {
	if s.cfg.StateDir == "" || desc.Digest.Validate() != nil {
		return ""
	}
	return filepath.Join(s.cfg.StateDir, "layers", desc.Digest.Encoded())
}

// finishedMaxAge is how long the layers of an unfinished pull are kept.
const finishedMaxAge = 7 * 24 * time.Hour

// pruneFinished drops links older than finishedMaxAge: pulls that were
// never retried.
func (s *Service) pruneFinished() {
	if s.cfg.StateDir == "" {
		return
	}
	dir := filepath.Join(s.cfg.StateDir, "layers")
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > finishedMaxAge {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// keepFinished links a layer that was just stored.
func (s *Service) keepFinished(ctx context.Context, desc ocispec.Descriptor) {
	p := s.finishedPath(desc)
	if p == "" {
		return
	}
	src, err := s.images.BlobPath(ctx, desc.Digest)
	if err == nil {
		err = os.Link(src, p)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		slog.DebugContext(ctx, "cannot keep a finished layer for resumption", "layer", desc.Digest, "error", err)
	}
}

// resumeFinished stores a layer from its link, verified again.
func (s *Service) resumeFinished(ctx context.Context, desc ocispec.Descriptor, in *image.Ingest) (image.LayerInfo, bool) {
	p := s.finishedPath(desc)
	if p == "" {
		return image.LayerInfo{}, false
	}
	f, err := os.Open(p)
	if err != nil {
		return image.LayerInfo{}, false
	}
	defer f.Close()
	lw, err := in.NewLayerWriter(ctx, desc)
	if err != nil {
		return image.LayerInfo{}, false
	}
	defer lw.Close()
	if _, err := io.Copy(lw, f); err != nil {
		return image.LayerInfo{}, false
	}
	li, err := lw.Commit(ctx)
	if err != nil {
		os.Remove(p)
		return image.LayerInfo{}, false
	}
	return li, true
}

// dropFinished removes the links of a pulled image's layers.
func (s *Service) dropFinished(layers []ocispec.Descriptor) {
	for _, l := range layers {
		if p := s.finishedPath(l); p != "" {
			os.Remove(p)
		}
	}
}
