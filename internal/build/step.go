package build

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/berthproject/berth/internal/image"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// change is what one step does to a stage: a config change, maybe a
// filesystem change, and the history entry that says so.
type change struct {
	// createdBy is the history entry, as Docker's classic builder writes
	// it ("/bin/sh -c #(nop)  ENV A=b", "/bin/sh -c make").
	createdBy string
	// keyExtra is cache-key material beyond createdBy and the parent.
	keyExtra string
	// config changes the image config (nil: no change).
	config func(*dockerspec.DockerOCIImage)
	// fs makes the step's layer (nil: a metadata-only step); it returns
	// nil when the step changed no file.
	fs func(ctx context.Context) (*image.BuiltLayer, error)
}

// commit runs one step through the cache: a hit restores the cached
// state, a miss applies the change and caches the result.
func (r *buildRun) commit(ctx context.Context, st *stage, c change) error {
	key := digest.FromString(st.key.String() + "\n" + c.createdBy + "\n" + c.keyExtra)
	if !r.opts.NoCache {
		if e, ok := r.cacheGet(ctx, key); ok {
			if err := st.restore(key, e); err != nil {
				return err
			}
			fmt.Fprintf(r.out, " ---> Using cache\n ---> %s\n", shortID(st.id().String()))
			return nil
		}
		if ok, err := r.fromCacheImages(ctx, st, key, c); ok || err != nil {
			return err
		}
	}
	var layer *image.BuiltLayer
	if c.fs != nil {
		var err error
		if layer, err = c.fs(ctx); err != nil {
			return err
		}
	}
	h := ocispec.History{Created: now(), CreatedBy: c.createdBy, EmptyLayer: layer == nil}
	return r.apply(ctx, st, key, c, h, layer)
}

// apply records a step's result in st and in the cache.
func (r *buildRun) apply(ctx context.Context, st *stage, key digest.Digest, c change, h ocispec.History, layer *image.BuiltLayer) error {
	if c.config != nil {
		c.config(&st.img)
	}
	st.img.Created = h.Created
	st.img.History = append(st.img.History, h)
	if layer != nil {
		st.layers = append(st.layers, *layer)
		st.img.RootFS.DiffIDs = append(st.img.RootFS.DiffIDs, layer.DiffID)
	}
	if err := st.marshal(); err != nil {
		return err
	}
	st.key = key
	r.cachePut(ctx, key, cacheEntry{Config: st.config, Layers: st.layers})
	fmt.Fprintf(r.out, " ---> %s\n", shortID(st.id().String()))
	return nil
}

// restore makes st the cached state e.
func (st *stage) restore(key digest.Digest, e cacheEntry) error {
	var img dockerspec.DockerOCIImage
	if err := json.Unmarshal(e.Config, &img); err != nil {
		return fmt.Errorf("build cache entry %s: %w", key, err)
	}
	st.img, st.config, st.key = img, e.Config, key
	st.layers = slices.Clone(e.Layers)
	return nil
}

// nop is the history entry of a metadata-only instruction, as Docker's
// classic builder writes it: the stage's SHELL, then "#(nop) " and the
// comment as two words of the container's Cmd, so that joined with
// spaces two spaces follow "#(nop)" ("/bin/sh -c #(nop)  ENV A=b").
func nop(shell []string, comment string) string {
	return shellWords(shell) + " #(nop)  " + comment
}

// nopString is the entry of WORKDIR, COPY and ADD, which Docker words
// with "#(nop) " and the comment as one word, hence a single space
// ("/bin/sh -c #(nop) WORKDIR /app").
func nopString(shell []string, comment string) string {
	return shellWords(shell) + " #(nop) " + comment
}

// shellWords is a SHELL as the history shows it, Docker's default when
// empty.
func shellWords(shell []string) string {
	if len(shell) == 0 {
		shell = defaultShell
	}
	return strings.Join(shell, " ")
}
