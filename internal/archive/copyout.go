package archive

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// CopyOut writes src, a path inside the container root filesystem root, as
// a tar whose entries are named after src's last element (`docker cp
// CTR:/etc/hosts -` gives "hosts"; "/" gives the root's contents). src's
// parents are resolved inside root; src itself and everything below are
// read with *at calls that never follow a symlink, so neither the image nor
// a process racing in a running container can make berth read a host file.
func CopyOut(ctx context.Context, root, src string, w io.Writer) error {
	clean := path.Clean("/" + src)
	parent, base := path.Split(clean)
	dir, err := pathrs.OpenInRoot(root, parent)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, notFoundOr(err))
	}
	defer dir.Close()
	cw := &copyWriter{tw: tar.NewWriter(w), inodes: map[uint64]string{}}
	if base == "" {
		d, err := pathrs.Reopen(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
		if err != nil {
			return fmt.Errorf("copy %s: %w", src, err)
		}
		defer d.Close()
		err = cw.children(ctx, int(d.Fd()), "")
		if err != nil {
			return err
		}
		return cw.tw.Close()
	}
	if err := cw.entry(ctx, int(dir.Fd()), base, base); err != nil {
		return err
	}
	return cw.tw.Close()
}

func notFoundOr(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%v: %w", err, errdefs.ErrNotFound)
	}
	return err
}

type copyWriter struct {
	tw     *tar.Writer
	inodes map[uint64]string
	buf    []byte
}

// entry writes the file name of directory dirfd as tar entry rel, and
// everything below it if it is a directory.
func (cw *copyWriter) entry(ctx context.Context, dirfd int, name, rel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("copy %s: %w", rel, notFoundOr(err))
	}
	hdr := &tar.Header{Name: rel, Mode: int64(st.Mode & 0o7777), Uid: int(st.Uid), Gid: int(st.Gid),
		ModTime: time.Unix(st.Mtim.Unix()).Truncate(time.Second), Format: tar.FormatPAX}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return cw.file(dirfd, name, hdr, &st)
	case unix.S_IFDIR:
		hdr.Typeflag, hdr.Name = tar.TypeDir, rel+"/"
		fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("copy %s: %w", rel, err)
		}
		defer unix.Close(fd)
		if err := cw.tw.WriteHeader(hdr); err != nil {
			return err
		}
		return cw.children(ctx, fd, rel)
	case unix.S_IFLNK:
		buf := make([]byte, unix.PathMax)
		n, err := unix.Readlinkat(dirfd, name, buf)
		if err != nil {
			return fmt.Errorf("copy %s: %w", rel, err)
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, string(buf[:n])
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil // sockets have no tar form
	}
	return cw.tw.WriteHeader(hdr)
}

func (cw *copyWriter) children(ctx context.Context, fd int, rel string) error {
	names, err := readDirNames(fd)
	if err != nil {
		return fmt.Errorf("copy %s: %w", rel, err)
	}
	sort.Strings(names)
	for _, n := range names {
		child := n
		if rel != "" {
			child = rel + "/" + n
		}
		if err := cw.entry(ctx, fd, n, child); err != nil {
			return err
		}
	}
	return nil
}

// file copies a regular file opened without following links or blocking
// (a FIFO swapped in meanwhile), after checking it is still the same inode.
func (cw *copyWriter) file(dirfd int, name string, hdr *tar.Header, st *unix.Stat_t) error {
	if st.Nlink > 1 {
		if first, ok := cw.inodes[st.Ino]; ok {
			hdr.Typeflag, hdr.Linkname = tar.TypeLink, first
			return cw.tw.WriteHeader(hdr)
		}
		cw.inodes[st.Ino] = hdr.Name
	}
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("copy %s: %w", hdr.Name, err)
	}
	f := os.NewFile(uintptr(fd), hdr.Name)
	defer f.Close()
	var now unix.Stat_t
	if err := unix.Fstat(fd, &now); err != nil || now.Ino != st.Ino || now.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("copy %s: file changed while copying: %w", hdr.Name, errdefs.ErrConflict)
	}
	hdr.Typeflag, hdr.Size = tar.TypeReg, now.Size
	if err := cw.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if cw.buf == nil {
		cw.buf = make([]byte, 128<<10)
	}
	if _, err := io.CopyBuffer(cw.tw, io.LimitReader(f, now.Size), cw.buf); err != nil {
		return fmt.Errorf("copy %s: %w", hdr.Name, err)
	}
	return nil
}

// readDirNames lists a directory fd without consuming or closing it.
func readDirNames(fd int) ([]string, error) {
	dup, err := unix.Openat(fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	d := os.NewFile(uintptr(dup), ".")
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	out := names[:0]
	for _, n := range names {
		if !strings.ContainsRune(n, '/') {
			out = append(out, n)
		}
	}
	return out, nil
}
