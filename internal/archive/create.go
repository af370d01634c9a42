package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"strings"
	"time"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

const xattrPAXPrefix = "SCHILY.xattr."

func mkdirAllHandle(root *os.File, name string) (*os.File, error) {
	f, err := pathrs.MkdirAllHandle(root, name, 0o755)
	if err != nil {
		return nil, fmt.Errorf("directory %q in layer root: %w", name, err)
	}
	return f, nil
}

// procPath names base inside the directory held by handle; the magic link
// resolves to that very directory, and base (one component) is not followed
// by the *l* calls that use it.
func procPath(handle *os.File, base string) string {
	return fmt.Sprintf("/proc/self/fd/%d/%s", handle.Fd(), base)
}

// create makes one entry in parent, replacing what was there unless both
// are directories (then only the metadata changes, as Docker does).
func (a *applier) create(parent *os.File, base string, e entry, hdr *tar.Header, r io.Reader) error {
	pfd := int(parent.Fd())
	var st unix.Stat_t
	err := unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	exists := err == nil
	if exists && !(st.Mode&unix.S_IFMT == unix.S_IFDIR && hdr.Typeflag == tar.TypeDir) {
		if err := a.remove(parent, base); err != nil {
			return err
		}
		exists = false
	}
	mode := uint32(hdr.Mode & 0o7777)
	switch hdr.Typeflag {
	case tar.TypeDir:
		if !exists {
			if err := unix.Mkdirat(pfd, base, 0o700); err != nil {
				return fmt.Errorf("mkdir: %w", err)
			}
		}
	case tar.TypeReg:
		if err := a.writeFile(pfd, base, r); err != nil {
			return err
		}
	case tar.TypeSymlink:
		if err := unix.Symlinkat(hdr.Linkname, pfd, base); err != nil {
			return fmt.Errorf("symlink: %w", err)
		}
	case tar.TypeLink:
		return a.link(e.target, pfd, base)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		kind := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[hdr.Typeflag]
		dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
		if err := unix.Mknodat(pfd, base, kind|mode, int(dev)); err != nil {
			return fmt.Errorf("mknod: %w", err)
		}
	}
	if err := unix.Fchownat(pfd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	isLink := hdr.Typeflag == tar.TypeSymlink
	if !isLink {
		// After chown, which clears setuid bits. The entry was just made
		// here and is not a symlink, so following is harmless.
		if err := unix.Fchmodat(pfd, base, mode, 0); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	if err := setXattrs(parent, base, hdr, isLink); err != nil {
		return err
	}
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	if hdr.Typeflag == tar.TypeDir {
		a.dirTimes = append(a.dirTimes, dirTime{name: e.name, atime: atime, mtime: hdr.ModTime})
		return nil
	}
	return setTimes(parent, base, atime, hdr.ModTime)
}

func (a *applier) writeFile(pfd int, base string, r io.Reader) error {
	fd, err := unix.Openat(pfd, base, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	f := os.NewFile(uintptr(fd), base)
	if a.buf == nil {
		a.buf = make([]byte, 128<<10)
	}
	_, err = io.CopyBuffer(f, r, a.buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return tarError(err)
	}
	return nil
}

// link makes a hardlink to target, a path of the layer root resolved
// inside it; the last component is not followed, so a symlink target is
// linked itself.
func (a *applier) link(target string, pfd int, base string) error {
	tdir, err := pathrs.OpenatInRoot(a.root, path.Dir(target))
	if err != nil {
		return fmt.Errorf("hardlink target %q: %w", target, err)
	}
	defer tdir.Close()
	if err := unix.Linkat(int(tdir.Fd()), path.Base(target), pfd, base, 0); err != nil {
		return fmt.Errorf("hardlink to %q: %w", target, err)
	}
	return nil
}

func (a *applier) remove(parent *os.File, base string) error {
	a.dropDirs(parent)
	if err := os.RemoveAll(procPath(parent, base)); err != nil {
		return fmt.Errorf("remove %q: %w", base, err)
	}
	return nil
}

func setXattrs(parent *os.File, base string, hdr *tar.Header, isLink bool) error {
	for k, v := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(k, xattrPAXPrefix)
		if !ok {
			continue
		}
		err := unix.Lsetxattr(procPath(parent, base), name, []byte(v), 0)
		if errors.Is(err, unix.ENOTSUP) || (isLink && errors.Is(err, unix.EPERM)) {
			slog.Debug("layer xattr not supported here, skipped", "entry", hdr.Name, "xattr", name)
			continue
		}
		if err != nil {
			return fmt.Errorf("set xattr %s: %w", name, err)
		}
	}
	return nil
}

func setTimes(parent *os.File, base string, atime, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	if err := unix.UtimesNanoAt(int(parent.Fd()), base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("set times: %w", err)
	}
	return nil
}
