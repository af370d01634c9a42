package archive

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
)

// Tar writes the tree at dir as an uncompressed tar with names relative to
// dir, as `berth export` does with a mounted root filesystem: every file as
// it is, with owners, modes, xattrs and hardlinks; no whiteout meaning is
// given to anything.
func Tar(ctx context.Context, dir string, w io.Writer) error {
	lw := newLayerWriter(w, dir)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("tar %s: %w", dir, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return fmt.Errorf("tar: %w", err)
		}
		return lw.add(filepath.ToSlash(rel), fi)
	})
	if err != nil {
		return err
	}
	return lw.close()
}
