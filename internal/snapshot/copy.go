package snapshot

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/berthproject/berth/internal/archive"
	"github.com/opencontainers/go-digest"
)

// Copy is the fallback snapshotter for filesystems or kernels without
// overlayfs: every snapshot is a whole tree, made by copying its parent
// (reflinks where the filesystem has them) and applying the layer on top
// with whiteouts as deletions. It costs disk and time, and works anywhere.
type Copy struct {
	*store
}

// NewCopy opens (or creates) a copy snapshotter under root.
func NewCopy(ctx context.Context, root string) (*Copy, error) {
	s, err := openStore(root)
	if err != nil {
		return nil, err
	}
	return &Copy{store: s}, nil
}

// Name implements Snapshotter.
func (c *Copy) Name() string { return "copy" }

// Unpack implements Snapshotter; layers are applied one after the other,
// each on a copy of the one below.
func (c *Copy) Unpack(ctx context.Context, layers []Layer, opener BlobOpener) (digest.Digest, error) {
	chain, err := chainIDs(layers)
	if err != nil || len(chain) == 0 {
		return "", err
	}
	for i, l := range layers {
		key := chain[i].String()
		if _, err := c.get(key); err == nil {
			continue
		}
		var parent string
		if i > 0 {
			parent = chain[i-1].String()
		}
		tmp, err := c.scratchFrom(ctx, parent)
		if err != nil {
			return "", err
		}
		if err := applyLayer(ctx, filepath.Join(tmp, "fs"), l, opener, archive.WhiteoutDelete); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
		if err := c.commit(tmp, Info{Key: key, Parent: parent, Kind: KindCommitted}); err != nil && !isAlreadyExists(err) {
			return "", err
		}
	}
	return chain[len(chain)-1], nil
}

// scratchFrom makes a scratch directory whose fs is a copy of parent's.
func (c *Copy) scratchFrom(ctx context.Context, parent string) (string, error) {
	tmp, err := c.scratch()
	if err != nil || parent == "" {
		return tmp, err
	}
	p, err := c.get(parent)
	if err == nil {
		err = copyTree(ctx, c.path(p, "fs"), filepath.Join(tmp, "fs"))
	}
	if err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return tmp, nil
}

// copyTree copies src into the existing directory dst keeping owners,
// modes, times, xattrs, hardlinks and device nodes: GNU cp does all of it
// and uses reflinks where it can.
func copyTree(ctx context.Context, src, dst string) error {
	out, err := exec.CommandContext(ctx, "cp", "-a", "--reflink=auto", src+"/.", dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("copy %s: %v: %s", src, err, out)
	}
	return nil
}

// Prepare implements Snapshotter.
func (c *Copy) Prepare(ctx context.Context, key, parent string) ([]Mount, error) {
	if err := c.checkNew(key, parent); err != nil {
		return nil, err
	}
	tmp, err := c.scratchFrom(ctx, parent)
	if err != nil {
		return nil, err
	}
	if err := c.commit(tmp, Info{Key: key, Parent: parent, Kind: KindActive}); err != nil {
		return nil, err
	}
	return c.Mounts(ctx, key)
}

// Mounts implements Snapshotter: a bind mount of the snapshot's tree.
func (c *Copy) Mounts(ctx context.Context, key string) ([]Mount, error) {
	r, err := c.get(key)
	if err != nil {
		return nil, err
	}
	mode := "rw"
	if r.Kind == KindCommitted {
		mode = "ro"
	}
	return []Mount{{Type: "bind", Source: c.path(r, "fs"), Options: []string{"rbind", mode}}}, nil
}

// Diff implements Snapshotter by comparing the tree with its parent's.
func (c *Copy) Diff(ctx context.Context, key string, w io.Writer) error {
	r, err := c.activeRecord(key)
	if err != nil {
		return err
	}
	lower := filepath.Join(c.dir, "empty")
	if r.Parent != "" {
		p, err := c.get(r.Parent)
		if err != nil {
			return err
		}
		lower = c.path(p, "fs")
	} else if err := os.MkdirAll(lower, 0o700); err != nil {
		return err
	}
	return archive.DiffTrees(ctx, lower, c.path(r, "fs"), w)
}
