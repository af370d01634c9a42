package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// layerWriter writes the entries of a diff as a layer tar, each directory
// before what it contains and regular files linked to an earlier path of
// the same inode as hardlinks.
type layerWriter struct {
	tw      *tar.Writer
	root    string
	emitted map[string]bool
	inodes  map[uint64]string
	buf     []byte
}

func newLayerWriter(w io.Writer, root string) *layerWriter {
	return &layerWriter{tw: tar.NewWriter(w), root: root, emitted: map[string]bool{}, inodes: map[uint64]string{}}
}

// add writes rel (a slash path relative to the root) after its ancestors.
func (lw *layerWriter) add(rel string, fi fs.FileInfo) error {
	if err := lw.ancestors(rel); err != nil {
		return err
	}
	return lw.write(rel, fi)
}

func (lw *layerWriter) ancestors(rel string) error {
	dir := path.Dir(rel)
	if dir == "." || lw.emitted[dir] {
		return nil
	}
	if err := lw.ancestors(dir); err != nil {
		return err
	}
	fi, err := os.Lstat(filepath.Join(lw.root, dir))
	if err != nil {
		return fmt.Errorf("diff: %w", err)
	}
	return lw.write(dir, fi)
}

// whiteout writes an empty `.wh.` entry for rel.
func (lw *layerWriter) whiteout(rel string) error {
	if err := lw.ancestors(rel); err != nil {
		return err
	}
	name := path.Join(path.Dir(rel), WhiteoutPrefix+path.Base(rel))
	return lw.writeMarker(name)
}

// opaque writes the marker that hides the lower contents of directory rel.
func (lw *layerWriter) opaque(rel string) error {
	return lw.writeMarker(path.Join(rel, WhiteoutOpaque))
}

func (lw *layerWriter) writeMarker(name string) error {
	hdr := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
	if err := lw.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("diff: write %q: %w", name, err)
	}
	return nil
}

func (lw *layerWriter) write(rel string, fi fs.FileInfo) error {
	lw.emitted[rel] = true
	full := filepath.Join(lw.root, rel)
	var link string
	if fi.Mode()&fs.ModeSymlink != 0 {
		var err error
		if link, err = os.Readlink(full); err != nil {
			return fmt.Errorf("diff: %w", err)
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return fmt.Errorf("diff: %q: %w", rel, err)
	}
	hdr.Name = rel
	if fi.IsDir() {
		hdr.Name += "/"
	}
	hdr.Format = tar.FormatPAX
	hdr.Uname, hdr.Gname = "", ""
	hdr.ModTime = hdr.ModTime.Truncate(time.Second)
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	st := fi.Sys().(*syscall.Stat_t)
	if fi.Mode().IsRegular() && st.Nlink > 1 {
		if first, ok := lw.inodes[st.Ino]; ok {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
		} else {
			lw.inodes[st.Ino] = rel
		}
	}
	if err := addXattrs(hdr, full); err != nil {
		return err
	}
	if err := lw.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("diff: write %q: %w", rel, err)
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil
	}
	f, err := os.OpenFile(full, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return fmt.Errorf("diff: %w", err)
	}
	defer f.Close()
	if lw.buf == nil {
		lw.buf = make([]byte, 128<<10)
	}
	if _, err := io.CopyBuffer(lw.tw, f, lw.buf); err != nil {
		return fmt.Errorf("diff: copy %q: %w", rel, err)
	}
	return nil
}

func (lw *layerWriter) close() error { return lw.tw.Close() }

// addXattrs records a file's extended attributes, except overlayfs' own.
func addXattrs(hdr *tar.Header, full string) error {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(full, buf)
	if errors.Is(err, unix.ENOTSUP) || n <= 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("diff: list xattrs of %q: %w", hdr.Name, err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if strings.HasPrefix(name, "trusted.overlay.") {
			continue
		}
		val := make([]byte, 64<<10)
		vn, err := unix.Lgetxattr(full, name, val)
		if err != nil {
			continue // removed meanwhile or not readable: not part of the layer
		}
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords[xattrPAXPrefix+name] = string(val[:vn])
	}
	return nil
}
