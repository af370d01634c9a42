package archive

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"syscall"
)

// DiffTrees writes, as a layer tar, what turns the tree lower into the tree
// upper: entries added or changed in upper (type, mode, owner, size, mtime,
// link target or device differ; xattrs alone do not count), and a `.wh.`
// entry for each topmost path of lower missing from upper. It serves the
// copy snapshotter, whose snapshots are whole trees.
func DiffTrees(ctx context.Context, lower, upper string, w io.Writer) error {
	old := map[string]*syscall.Stat_t{}
	err := filepath.WalkDir(lower, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("diff %s: %w", lower, err)
		}
		fi, err := d.Info()
		if err != nil {
			return fmt.Errorf("diff: %w", err)
		}
		rel, _ := filepath.Rel(lower, p)
		old[filepath.ToSlash(rel)] = fi.Sys().(*syscall.Stat_t)
		return nil
	})
	if err != nil {
		return err
	}
	lw := newLayerWriter(w, upper)
	seen := map[string]bool{}
	err = filepath.WalkDir(upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("diff %s: %w", upper, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(upper, p)
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		if rel == "." {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return fmt.Errorf("diff: %w", err)
		}
		if o, ok := old[rel]; ok && sameEntry(o, fi.Sys().(*syscall.Stat_t), filepath.Join(lower, rel), p) {
			return nil
		}
		return lw.add(rel, fi)
	})
	if err != nil {
		return err
	}
	if err := writeDeletions(lw, old, seen); err != nil {
		return err
	}
	return lw.close()
}

// writeDeletions whites out each path of lower gone from upper, once for a
// whole deleted subtree, in a stable order.
func writeDeletions(lw *layerWriter, old map[string]*syscall.Stat_t, seen map[string]bool) error {
	var gone []string
	for rel := range old {
		if !seen[rel] && seen[path.Dir(rel)] {
			gone = append(gone, rel)
		}
	}
	slices.Sort(gone)
	for _, rel := range gone {
		if err := lw.whiteout(rel); err != nil {
			return err
		}
	}
	return nil
}

func sameEntry(a, b *syscall.Stat_t, pa, pb string) bool {
	if a.Mode != b.Mode || a.Uid != b.Uid || a.Gid != b.Gid || a.Rdev != b.Rdev {
		return false
	}
	if a.Mode&syscall.S_IFMT == syscall.S_IFDIR {
		return a.Mtim == b.Mtim
	}
	if a.Size != b.Size || a.Mtim != b.Mtim {
		return false
	}
	if a.Mode&syscall.S_IFMT == syscall.S_IFLNK {
		la, _ := os.Readlink(pa)
		lb, _ := os.Readlink(pb)
		return la == lb
	}
	return true
}
