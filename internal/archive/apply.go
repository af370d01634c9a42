package archive

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"time"

	"golang.org/x/sys/unix"
)

// WhiteoutMode says what Apply does with the whiteouts of a layer.
type WhiteoutMode int

const (
	// WhiteoutOverlay records whiteouts the way overlayfs reads them, for a
	// layer unpacked into its own empty directory: `.wh.name` becomes a
	// character device 0/0 named name, `.wh..wh..opq` the xattr
	// trusted.overlay.opaque=y on its directory.
	WhiteoutOverlay WhiteoutMode = iota
	// WhiteoutDelete applies whiteouts to the tree below: `.wh.name` removes
	// name, `.wh..wh..opq` empties its directory of what earlier layers put
	// there. For a layer unpacked on a copy of its parent.
	WhiteoutDelete
	// WhiteoutKeep writes `.wh.` entries as the plain files they are in a
	// tar that is not a layer (`berth cp` into a container).
	WhiteoutKeep
)

// OverlayOpaqueXattr marks an overlayfs directory opaque.
const OverlayOpaqueXattr = "trusted.overlay.opaque"

// ApplyOptions tune Apply.
type ApplyOptions struct {
	Whiteouts WhiteoutMode
}

// Apply unpacks a layer stream (plain, gzip or zstd) into dir, with owners,
// modes, times, xattrs, hardlinks and device nodes, and returns the size of
// its file contents. Every entry passes the checks of Validate first, and
// every write is resolved inside dir, so neither a name nor a symlink (of
// this layer or of the tree below) can send a write elsewhere. On error dir
// holds part of the layer: callers unpack into a scratch directory and
// rename it into place once Apply succeeds.
func Apply(ctx context.Context, dir string, r io.Reader, opts ApplyOptions) (int64, error) {
	rc, err := Decompress(r)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	root, err := os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("open layer directory: %w", err)
	}
	defer root.Close()
	return applyAt(ctx, root, rc, opts)
}

// applyAt unpacks the uncompressed tar r below the directory handle root.
func applyAt(ctx context.Context, root *os.File, rc io.Reader, opts ApplyOptions) (int64, error) {
	a := &applier{root: root, opts: opts, dirs: map[string]*os.File{}, written: map[string]bool{}}
	defer a.close()

	cr := &CountingReader{R: rc}
	tr := tar.NewReader(cr)
	c := newChecker()
	var size int64
	for {
		if err := ctx.Err(); err != nil {
			return size, err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return size, tarError(err)
		}
		e, err := c.check(hdr)
		if err != nil {
			return size, err
		}
		if err := a.apply(e, hdr, tr); err != nil {
			return size, fmt.Errorf("unpack %q: %w", hdr.Name, err)
		}
		if hdr.Typeflag == tar.TypeReg {
			size += hdr.Size
		}
	}
	if cr.N == 0 {
		return 0, tarError(io.ErrUnexpectedEOF)
	}
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return size, tarError(err)
	}
	return size, a.finishDirs()
}

// applier holds the state of one Apply: the root handle, a cache of
// directory handles, what this layer wrote, and the directory times to set
// once nothing more is written below them.
type applier struct {
	root     *os.File
	opts     ApplyOptions
	dirs     map[string]*os.File
	written  map[string]bool
	dirTimes []dirTime
	buf      []byte
}

type dirTime struct {
	name         string
	atime, mtime time.Time
}

func (a *applier) close() { a.dropDirs(nil) }

// dropDirs forgets cached handles but keep; called whenever something is
// removed, as a cached directory may have been one of the things removed.
func (a *applier) dropDirs(keep *os.File) {
	for name, f := range a.dirs {
		if f != keep {
			f.Close()
			delete(a.dirs, name)
		}
	}
}

// dirHandle returns an O_PATH handle of a directory of the layer, creating
// it (and its parents) inside the root if missing.
func (a *applier) dirHandle(name string) (*os.File, error) {
	if name == "." {
		return a.root, nil
	}
	if f, ok := a.dirs[name]; ok {
		return f, nil
	}
	if len(a.dirs) > 256 {
		a.dropDirs(nil)
	}
	f, err := mkdirAllHandle(a.root, name)
	if err != nil {
		return nil, err
	}
	a.dirs[name] = f
	return f, nil
}

func (a *applier) apply(e entry, hdr *tar.Header, r io.Reader) error {
	if a.opts.Whiteouts == WhiteoutKeep && (e.kind == kindWhiteout || e.kind == kindOpaque) {
		e = entry{kind: kindFile, name: e.path, path: e.path}
	}
	switch e.kind {
	case kindSkip:
		return nil
	case kindWhiteout:
		return a.whiteout(e.target)
	case kindOpaque:
		return a.opaque(e.name)
	}
	a.written[e.name] = true
	parent, err := a.dirHandle(path.Dir(e.name))
	if err != nil {
		return err
	}
	return a.create(parent, path.Base(e.name), e, hdr, r)
}

func (a *applier) finishDirs() error {
	for i := len(a.dirTimes) - 1; i >= 0; i-- {
		d := a.dirTimes[i]
		parent, err := a.dirHandle(path.Dir(d.name))
		if err != nil {
			return err
		}
		if err := setTimes(parent, path.Base(d.name), d.atime, d.mtime); err != nil {
			return fmt.Errorf("set times of %q: %w", d.name, err)
		}
	}
	return nil
}
