package build

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

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

// CacheInfo describes one build cache entry, for `system df`.
type CacheInfo struct {
	Key string
	// Description is the step's history entry.
	Description string
	Created     time.Time
	// Size is the size of the layer the step made (0 for a metadata step).
	Size int64
}

// CacheUsage lists the build cache entries.
func (b *Builder) CacheUsage(ctx context.Context) ([]CacheInfo, error) {
	var out []CacheInfo
	err := b.cfg.DB.View(ctx, func(tx *store.Tx) error {
		return tx.ForEach(cacheBucket, func(key string, raw []byte) error {
			var e cacheEntry
			if err := json.Unmarshal(raw, &e); err != nil {
				return nil // a damaged entry is skipped, as a lookup would
			}
			var img struct {
				History []struct {
					CreatedBy  string `json:"created_by"`
					EmptyLayer bool   `json:"empty_layer"`
				} `json:"history"`
			}
			_ = json.Unmarshal(e.Config, &img)
			ci := CacheInfo{Key: key, Created: e.Created}
			if n := len(img.History); n > 0 {
				ci.Description = img.History[n-1].CreatedBy
				if !img.History[n-1].EmptyLayer && len(e.Layers) > 0 {
					ci.Size = e.Layers[len(e.Layers)-1].Size
				}
			}
			out = append(out, ci)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list build cache: %w", err)
	}
	return out, nil
}
