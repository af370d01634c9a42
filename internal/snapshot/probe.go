package snapshot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/errdefs"
	"golang.org/x/sys/unix"
)

// probeOverlay mounts a small overlay in dir to learn whether overlayfs
// works there, and with which of the options berth prefers: index=off
// (a lower layer is shared by many mounts) and redirect_dir=off (a renamed
// lower directory is copied up whole, so the upper dir stays a plain diff).
func probeOverlay(ctx context.Context, dir string) ([]string, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("overlayfs needs root: %w", errdefs.ErrNotImplemented)
	}
	tmp, err := os.MkdirTemp(dir, tmpPrefix+"probe-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, d := range []string{"l1", "l2", "u", "w", "m"} {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o700); err != nil {
			return nil, err
		}
	}
	base := fmt.Sprintf("lowerdir=%s/l1:%s/l2,upperdir=%s/u,workdir=%s/w", tmp, tmp, tmp, tmp)
	target := filepath.Join(tmp, "m")
	var lastErr error
	for _, extra := range [][]string{{"index=off", "redirect_dir=off"}, {"index=off"}, nil} {
		data := strings.Join(append([]string{base}, extra...), ",")
		if lastErr = unix.Mount("overlay", target, "overlay", 0, data); lastErr == nil {
			// The upper must take trusted.* xattrs, or whiteouts and
			// opaque dirs would be lost.
			xerr := unix.Setxattr(filepath.Join(tmp, "u"), "trusted.overlay.probe", []byte("y"), 0)
			unix.Unmount(target, unix.MNT_DETACH)
			if xerr != nil {
				return nil, fmt.Errorf("overlayfs: trusted xattrs unsupported on %s: %v: %w", dir, xerr, errdefs.ErrNotImplemented)
			}
			return extra, nil
		}
	}
	return nil, fmt.Errorf("overlayfs cannot be mounted on %s: %v: %w", dir, lastErr, errdefs.ErrNotImplemented)
}
