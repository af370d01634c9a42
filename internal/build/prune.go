package build

import (
	"context"
	"fmt"

	"github.com/berthproject/berth/internal/snapshot"
	"github.com/berthproject/berth/internal/store"
)

// PruneReport is what `builder prune` freed.
type PruneReport struct {
	// Deleted are the cache keys removed.
	Deleted []string
	// Reclaimed is the disk space of the builder's unpacked layers that
	// were removed (layer blobs belong to images and stay).
	Reclaimed uint64
}

// Prune empties the build cache and removes the builder's unpacked
// layers; builds running meanwhile lose no work but may re-unpack.
func (b *Builder) Prune(ctx context.Context) (PruneReport, error) {
	var rep PruneReport
	err := b.cfg.DB.Update(ctx, func(tx *store.Tx) error {
		var keys []string
		if err := tx.ForEach(cacheBucket, func(k string, _ []byte) error {
			keys = append(keys, k)
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(cacheBucket, k); err != nil {
				return err
			}
		}
		rep.Deleted = keys
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("prune build cache: %w", err)
	}
	// Committed snapshots are removed children first; one still in use
	// (a parent of a running step) refuses and stays.
	for removed := true; removed; {
		removed = false
		var infos []snapshot.Info
		_ = b.cfg.Snapshots.Walk(ctx, func(i snapshot.Info) error {
			if i.Kind == snapshot.KindCommitted {
				infos = append(infos, i)
			}
			return nil
		})
		for _, i := range infos {
			u, _ := b.cfg.Snapshots.Usage(ctx, i.Key)
			if err := b.cfg.Snapshots.Remove(ctx, i.Key); err == nil {
				rep.Reclaimed += uint64(u.Size)
				removed = true
			}
		}
	}
	return rep, nil
}

// DiskUsage is the size of the builder's unpacked layers and the number
// of cache entries, for `system df`.
func (b *Builder) DiskUsage(ctx context.Context) (entries int, size int64, err error) {
	err = b.cfg.DB.View(ctx, func(tx *store.Tx) error {
		return tx.ForEach(cacheBucket, func(string, []byte) error { entries++; return nil })
	})
	if err != nil {
		return 0, 0, err
	}
	_ = b.cfg.Snapshots.Walk(ctx, func(i snapshot.Info) error {
		u, _ := b.cfg.Snapshots.Usage(ctx, i.Key)
		size += u.Size
		return nil
	})
	return entries, size, nil
}
