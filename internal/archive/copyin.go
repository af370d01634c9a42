package archive

import (
	"context"
	"fmt"
	"io"

	"github.com/containerd/errdefs"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// CopyIn unpacks the tar r (plain, gzip or zstd) into dst, an existing
// directory of the container root filesystem root, as `docker cp - CTR:dst`
// does. dst is resolved inside root, and every entry inside dst with the
// rules of Apply (no `..`, no absolute names, no write through a symlink);
// `.wh.` names are ordinary files here. Symlinks met below dst resolve
// within dst, a stricter confinement than the container's own root.
func CopyIn(ctx context.Context, root, dst string, r io.Reader) error {
	h, err := pathrs.OpenInRoot(root, dst)
	if err != nil {
		return fmt.Errorf("copy into %s: %w", dst, notFoundOr(err))
	}
	defer h.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(h.Fd()), &st); err != nil {
		return fmt.Errorf("copy into %s: %w", dst, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		// Docker's wording, an invalid parameter (HTTP 400).
		return errdefs.ErrInvalidArgument.WithMessage("extraction point is not a directory")
	}
	rc, err := Decompress(r)
	if err != nil {
		return err
	}
	defer rc.Close()
	if _, err := applyAt(ctx, h, rc, ApplyOptions{Whiteouts: WhiteoutKeep}); err != nil {
		return fmt.Errorf("copy into %s: %w", dst, err)
	}
	return nil
}
