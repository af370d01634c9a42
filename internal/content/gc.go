package content

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/opencontainers/go-digest"
)

// CleanIngest removes every partial write left in ingest/, e.g. by a crash.
// Call it only when no Writer is open (at daemon start).
func (s *Store) CleanIngest(ctx context.Context) error {
	dir := filepath.Join(s.root, "ingest")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("clean ingest: %w", err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("clean ingest: %w", err)
		}
	}
	if len(entries) > 0 {
		slog.InfoContext(ctx, "removed partial blobs", "count", len(entries))
	}
	return nil
}

// GarbageCollect deletes every blob whose digest keep does not report as
// live, and returns what it deleted and the bytes freed.
func (s *Store) GarbageCollect(ctx context.Context, keep func(digest.Digest) bool) ([]Info, error) {
	var dead []Info
	err := s.Walk(ctx, func(i Info) error {
		if !keep(i.Digest) {
			dead = append(dead, i)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var removed []Info
	for _, i := range dead {
		if err := s.Delete(ctx, i.Digest); err != nil {
			return removed, fmt.Errorf("garbage collect: %w", err)
		}
		removed = append(removed, i)
	}
	return removed, nil
}
