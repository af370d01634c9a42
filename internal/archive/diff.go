package archive

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// Diff writes, as a layer tar, the changes recorded in an overlayfs upper
// directory: its files as they are, its whiteouts (character devices 0/0)
// as `.wh.` entries and its opaque directories followed by `.wh..wh..opq`.
// The upper directory must not be mounted writable meanwhile.
func Diff(ctx context.Context, upper string, w io.Writer) error {
	lw := newLayerWriter(w, upper)
	err := filepath.WalkDir(upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("diff %s: %w", upper, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(upper, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		fi, err := d.Info()
		if err != nil {
			return fmt.Errorf("diff: %w", err)
		}
		if st := fi.Sys().(*syscall.Stat_t); fi.Mode()&fs.ModeCharDevice != 0 && st.Rdev == 0 {
			return lw.whiteout(rel)
		}
		if err := lw.add(rel, fi); err != nil {
			return err
		}
		if fi.IsDir() && isOpaque(p) {
			return lw.opaque(rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return lw.close()
}

func isOpaque(dir string) bool {
	buf := make([]byte, 2)
	n, err := unix.Lgetxattr(dir, OverlayOpaqueXattr, buf)
	return err == nil && string(buf[:n]) == "y"
}
