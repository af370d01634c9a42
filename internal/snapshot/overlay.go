package snapshot

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/berthproject/berth/internal/archive"
	"github.com/opencontainers/go-digest"
	"golang.org/x/sync/errgroup"
)

// Overlay is the overlayfs snapshotter: each layer is unpacked alone into
// its own directory (whiteouts as overlayfs reads them), and a root is an
// overlay mount of the layers' directories under a writable upper one.
type Overlay struct {
	*store
	// options are added to every overlay mount (index=off and friends
	// when the kernel knows them: see probeOverlay).
	options []string
}

// NewOverlay opens (or creates) an overlay snapshotter under root. It fails
// with ErrNotImplemented where overlayfs cannot be mounted on root.
func NewOverlay(ctx context.Context, root string) (*Overlay, error) {
	s, err := openStore(root)
	if err != nil {
		return nil, err
	}
	opts, err := probeOverlay(ctx, s.dir)
	if err != nil {
		return nil, err
	}
	return &Overlay{store: s, options: opts}, nil
}

// Name implements Snapshotter.
func (o *Overlay) Name() string { return "overlayfs" }

// Unpack implements Snapshotter. Missing layers are unpacked in parallel,
// since each goes into an empty directory of its own, then committed
// bottom up.
func (o *Overlay) Unpack(ctx context.Context, layers []Layer, opener BlobOpener) (digest.Digest, error) {
	chain, err := chainIDs(layers)
	if err != nil || len(chain) == 0 {
		return "", err
	}
	tmps := make([]string, len(layers))
	defer func() {
		for _, t := range tmps {
			if t != "" {
				os.RemoveAll(t)
			}
		}
	}()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(3)
	for i, l := range layers {
		if _, err := o.get(chain[i].String()); err == nil {
			continue
		}
		tmp, err := o.scratch()
		if err != nil {
			return "", err
		}
		tmps[i] = tmp
		g.Go(func() error {
			return applyLayer(gctx, filepath.Join(tmp, "fs"), l, opener, archive.WhiteoutOverlay)
		})
	}
	if err := g.Wait(); err != nil {
		return "", err
	}
	for i, tmp := range tmps {
		if tmp == "" {
			continue
		}
		info := Info{Key: chain[i].String(), Kind: KindCommitted}
		if i > 0 {
			info.Parent = chain[i-1].String()
		}
		tmps[i] = ""
		if err := o.commit(tmp, info); err != nil && !isAlreadyExists(err) {
			return "", err
		}
	}
	return chain[len(chain)-1], nil
}

// Prepare implements Snapshotter.
func (o *Overlay) Prepare(ctx context.Context, key, parent string) ([]Mount, error) {
	if err := o.checkNew(key, parent); err != nil {
		return nil, err
	}
	tmp, err := o.scratch()
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(filepath.Join(tmp, "work"), 0o700); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("prepare %q: %w", key, err)
	}
	if err := o.commit(tmp, Info{Key: key, Parent: parent, Kind: KindActive}); err != nil {
		return nil, err
	}
	return o.Mounts(ctx, key)
}

// Mounts implements Snapshotter.
func (o *Overlay) Mounts(ctx context.Context, key string) ([]Mount, error) {
	r, err := o.get(key)
	if err != nil {
		return nil, err
	}
	chain, err := o.chain(r)
	if err != nil {
		return nil, err
	}
	if r.Kind == KindActive {
		chain = chain[1:]
	}
	// Paths relative to the snapshots dir: "12/fs" instead of the whole
	// path keeps 100+ layers under the page-size limit of mount options.
	var lower string
	for i, c := range chain {
		if i > 0 {
			lower += ":"
		}
		lower += c.id + "/fs"
	}
	switch {
	case r.Kind == KindActive && len(chain) == 0:
		return []Mount{{Type: "bind", Source: o.path(r, "fs"), Options: []string{"rbind", "rw"}}}, nil
	case r.Kind == KindActive:
		opts := append([]string{"lowerdir=" + lower, "upperdir=" + r.id + "/fs", "workdir=" + r.id + "/work"}, o.options...)
		return []Mount{{Type: "overlay", Source: "overlay", Options: opts, Dir: o.dir}}, nil
	case len(chain) == 1:
		return []Mount{{Type: "bind", Source: o.path(r, "fs"), Options: []string{"rbind", "ro"}}}, nil
	}
	opts := append([]string{"lowerdir=" + lower}, o.options...)
	return []Mount{{Type: "overlay", Source: "overlay", Options: opts, Dir: o.dir}}, nil
}

// Diff implements Snapshotter: the upper directory is the diff.
func (o *Overlay) Diff(ctx context.Context, key string, w io.Writer) error {
	r, err := o.activeRecord(key)
	if err != nil {
		return err
	}
	return archive.Diff(ctx, o.path(r, "fs"), w)
}
