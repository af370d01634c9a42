package build

import (
	"context"
	"log/slog"
	"time"

	"github.com/berthproject/berth/internal/image"
	"github.com/berthproject/berth/internal/store"
	"github.com/opencontainers/go-digest"
)

// cacheBucket holds the build cache: one entry per step result, keyed by
// the step's cache key. It lives in the metadata database, so it
// survives daemon restarts.
const cacheBucket store.Bucket = "buildcache"

// cacheEntry is the state of a stage after a step.
type cacheEntry struct {
	// Config is the image config after the step, byte for byte (its
	// digest is the step's image ID).
	Config  []byte             `json:"config"`
	Layers  []image.BuiltLayer `json:"layers"`
	Created time.Time          `json:"created"`
}

// cacheGet returns the entry for key if there is one and every layer it
// names is still stored (an image removal may have collected them); the
// layers are then held for the rest of the build.
func (r *buildRun) cacheGet(ctx context.Context, key digest.Digest) (cacheEntry, bool) {
	var e cacheEntry
	err := r.b.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		e, err = store.Get[cacheEntry](tx, cacheBucket, key.String())
		return err
	})
	if err != nil {
		return e, false
	}
	for _, l := range e.Layers {
		if !r.sess.Hold(ctx, l.Desc.Digest) {
			return e, false
		}
	}
	return e, true
}

// cachePut records a step's result. A failure only costs a later rebuild.
func (r *buildRun) cachePut(ctx context.Context, key digest.Digest, e cacheEntry) {
	e.Created = time.Now().UTC()
	err := r.b.cfg.DB.Update(ctx, func(tx *store.Tx) error {
		return store.Put(tx, cacheBucket, key.String(), e)
	})
	if err != nil {
		slog.WarnContext(ctx, "build cache: cannot record a step", "key", key, "error", err)
	}
}
