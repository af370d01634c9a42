package snapshot

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
)

// diskUsage adds up the sizes and inodes of a tree, each inode once.
func diskUsage(ctx context.Context, dir string) (Usage, error) {
	var u Usage
	seen := map[uint64]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		if seen[st.Ino] {
			return nil
		}
		seen[st.Ino] = true
		u.Inodes++
		if fi.Mode().IsRegular() || fi.Mode()&fs.ModeSymlink != 0 {
			u.Size += fi.Size()
		}
		return nil
	})
	if err != nil {
		return Usage{}, fmt.Errorf("disk usage of %s: %w", dir, err)
	}
	return u, nil
}
