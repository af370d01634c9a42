package archive

import (
	"errors"
	"fmt"
	"os"
	"path"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// whiteout hides or removes target (a path of the layer root).
func (a *applier) whiteout(target string) error {
	if a.opts.Whiteouts == WhiteoutOverlay {
		parent, err := a.dirHandle(path.Dir(target))
		if err != nil {
			return err
		}
		base := path.Base(target)
		if err := a.remove(parent, base); err != nil {
			return err
		}
		if err := unix.Mknodat(int(parent.Fd()), base, unix.S_IFCHR, 0); err != nil {
			return fmt.Errorf("overlay whiteout: %w", err)
		}
		return nil
	}
	parent, err := pathrs.OpenatInRoot(a.root, path.Dir(target))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("whiteout %q: %w", target, err)
	}
	defer parent.Close()
	return a.remove(parent, path.Base(target))
}

// opaque makes dir opaque: for overlayfs an xattr, for a copy the removal
// of every child this layer did not write.
func (a *applier) opaque(dir string) error {
	h, err := a.dirHandle(dir)
	if err != nil {
		return err
	}
	if a.opts.Whiteouts == WhiteoutOverlay {
		if err := unix.Setxattr(fmt.Sprintf("/proc/self/fd/%d", h.Fd()), OverlayOpaqueXattr, []byte("y"), 0); err != nil {
			return fmt.Errorf("mark %q opaque: %w", dir, err)
		}
		return nil
	}
	d, err := pathrs.Reopen(h, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return fmt.Errorf("open %q: %w", dir, err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("list %q: %w", dir, err)
	}
	for _, n := range names {
		if !a.written[path.Join(dir, n)] {
			if err := a.remove(h, n); err != nil {
				return err
			}
		}
	}
	return nil
}
