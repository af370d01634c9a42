package build

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
)

// cacheImage is a --cache-from image: its history says which steps made
// it, so a step whose history entry and parent state match one of its
// entries can take its layer without running.
type cacheImage struct {
	img    dockerspec.DockerOCIImage
	layers []image.BuiltLayer
}

func (r *buildRun) loadCacheFrom(ctx context.Context) error {
	for _, name := range r.opts.CacheFrom {
		_, raw, layers, err := r.sess.Base(ctx, name)
		if errdefs.IsNotFound(err) {
			// Docker ignores a --cache-from image it does not have.
			fmt.Fprintf(r.out, "[Warning] --cache-from image %s is not in the image store; ignored\n", name)
			continue
		}
		if err != nil {
			return err
		}
		ci := cacheImage{layers: layers}
		if err := json.Unmarshal(raw, &ci.img); err != nil {
			return fmt.Errorf("--cache-from %s: config: %w", name, err)
		}
		r.cacheFrom = append(r.cacheFrom, ci)
	}
	return nil
}

// fromCacheImages applies step c from a --cache-from image whose history
// continues st's with c's entry, taking the layer that entry made.
func (r *buildRun) fromCacheImages(ctx context.Context, st *stage, key digest.Digest, c change) (bool, error) {
	n := len(st.img.History)
	for _, ci := range r.cacheFrom {
		h := ci.img.History
		if len(h) <= n || h[n].CreatedBy != c.createdBy || (c.fs == nil && !h[n].EmptyLayer) {
			continue
		}
		same := true
		for i := 0; i < n && same; i++ {
			same = h[i].CreatedBy == st.img.History[i].CreatedBy && h[i].EmptyLayer == st.img.History[i].EmptyLayer
		}
		if !same || len(ci.layers) < len(st.layers) {
			continue
		}
		for i, l := range st.layers {
			if ci.layers[i].DiffID != l.DiffID {
				same = false
				break
			}
		}
		if !same {
			continue
		}
		var layer *image.BuiltLayer
		if !h[n].EmptyLayer {
			if len(ci.layers) <= len(st.layers) {
				continue
			}
			l := ci.layers[len(st.layers)]
			layer = &l
		}
		fmt.Fprintln(r.out, " ---> Using cache")
		return true, r.apply(ctx, st, key, c, h[n], layer)
	}
	return false, nil
}
