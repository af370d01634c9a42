package volume

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/berthproject/berth/internal/archive"
)

// CopyUp fills an empty volume with the content the image has at the
// mount point (src, a directory of the container's mounted rootfs), as
// Docker does the first time a volume is mounted. A volume that has
// anything in it, or a src that is missing or not a directory, is left
// as it is.
func (s *Service) CopyUp(ctx context.Context, name, src string) error {
	dst := s.Path(name)
	ents, err := os.ReadDir(dst)
	if err != nil {
		return fmt.Errorf("volume %s: %w", name, err)
	}
	if len(ents) > 0 {
		return nil
	}
	fi, err := os.Lstat(src)
	if err != nil || !fi.IsDir() {
		return nil
	}
	if ents, err := os.ReadDir(src); err != nil || len(ents) == 0 {
		return nil
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(archive.Tar(ctx, src, pw)) }()
	_, err = archive.Apply(ctx, dst, pr, archive.ApplyOptions{Whiteouts: archive.WhiteoutKeep})
	pr.CloseWithError(errors.New("copy-up ended"))
	if err != nil {
		return fmt.Errorf("volume %s: copy image content from %s: %w", name, src, err)
	}
	// The volume's root takes the mode and owner of the directory it hides.
	if st, ok := statOwner(fi); ok {
		_ = os.Chown(dst, st.uid, st.gid)
	}
	return os.Chmod(dst, fi.Mode().Perm())
}
