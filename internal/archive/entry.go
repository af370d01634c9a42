package archive

import (
	"archive/tar"
	"fmt"
	"path"
	"strings"

	"github.com/containerd/errdefs"
)

// Whiteout names of the OCI image layer spec (inherited from AUFS).
const (
	WhiteoutPrefix = ".wh."
	// WhiteoutMetaPrefix marks AUFS bookkeeping entries; they are skipped.
	WhiteoutMetaPrefix = ".wh..wh."
	// WhiteoutOpaque makes its directory opaque: nothing below it in lower
	// layers shows through.
	WhiteoutOpaque = ".wh..wh..opq"
)

type entryKind int

const (
	kindSkip entryKind = iota
	kindFile
	kindWhiteout
	kindOpaque
)

// entry is a tar header that passed the checks, with its normalised name.
type entry struct {
	kind entryKind
	// name is relative to the layer root, cleaned, never "." nor "..".
	name string
	// target is the whited-out path for kindWhiteout, the cleaned link
	// target for hardlinks.
	target string
	// path is the cleaned member name itself.
	path string
}

// checker applies berth's rules to the entries of one layer, in order. It
// remembers which paths of this layer are symlinks, since a later entry
// written through one of them is the classic breakout shape.
type checker struct {
	symlinks map[string]bool
}

func newChecker() *checker { return &checker{symlinks: map[string]bool{}} }

func invalid(name, format string, args ...any) error {
	return fmt.Errorf("layer entry %q: %s: %w", name, fmt.Sprintf(format, args...), errdefs.ErrInvalidArgument)
}

// cleanName normalises a member name. Absolute names are refused rather than
// re-rooted, and so is any ".." component even when it would clean away
// ("a/../b", ".wh.../.."): no tool berth knows writes them into layers, and
// refusing is the answer that cannot surprise.
func cleanName(raw string) (string, error) {
	if raw == "" || strings.ContainsRune(raw, 0) {
		return "", invalid(raw, "empty name or NUL byte")
	}
	// The root itself, which umoci writes as "/", is no escape.
	if strings.Trim(raw, "/") == "" {
		return ".", nil
	}
	if path.IsAbs(raw) {
		return "", invalid(raw, "absolute path")
	}
	for _, part := range strings.Split(raw, "/") {
		if part == ".." {
			return "", invalid(raw, "path contains \"..\"")
		}
	}
	p := path.Clean(raw)
	return p, nil
}

func (c *checker) check(hdr *tar.Header) (entry, error) {
	switch hdr.Typeflag {
	case tar.TypeXGlobalHeader:
		return entry{kind: kindSkip}, nil
	case tar.TypeReg, tar.TypeDir, tar.TypeSymlink, tar.TypeLink,
		tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
	default:
		return entry{}, invalid(hdr.Name, "unsupported tar entry type %q", hdr.Typeflag)
	}
	p, err := cleanName(hdr.Name)
	if err != nil {
		return entry{}, err
	}
	// A sparse map can announce terabytes of holes in a few bytes; no
	// image tool writes sparse layers, so they are refused.
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return entry{}, invalid(hdr.Name, "sparse files are not supported")
		}
	}
	if p == "." {
		return entry{kind: kindSkip}, nil
	}
	if err := c.notThroughSymlink(hdr.Name, p); err != nil {
		return entry{}, err
	}
	base := path.Base(p)
	switch {
	case base == WhiteoutOpaque:
		return entry{kind: kindOpaque, name: path.Dir(p), path: p}, nil
	case strings.HasPrefix(base, WhiteoutMetaPrefix):
		return entry{kind: kindSkip}, nil
	case strings.HasPrefix(base, WhiteoutPrefix):
		gone := base[len(WhiteoutPrefix):]
		if gone == "" || gone == "." || gone == ".." {
			return entry{}, invalid(hdr.Name, "whiteout of %q", gone)
		}
		target := path.Join(path.Dir(p), gone)
		c.forget(target)
		return entry{kind: kindWhiteout, name: p, target: target, path: p}, nil
	}
	e := entry{kind: kindFile, name: p, path: p}
	c.forget(p)
	switch hdr.Typeflag {
	case tar.TypeSymlink:
		if hdr.Linkname == "" {
			return entry{}, invalid(hdr.Name, "symlink without target")
		}
		// A symlink is only a stored path, whatever it points at (an
		// absolute target, or a relative one climbing above the root, as
		// Docker accepts): the container resolves it in its own root. What
		// must never happen is a write through one leaving the root, and
		// none does: a later entry of this layer may not go through it
		// (notThroughSymlink), and Apply resolves every path in the root.
		c.symlinks[p] = true
	case tar.TypeLink:
		t, err := cleanName(hdr.Linkname)
		if err != nil {
			return entry{}, invalid(hdr.Name, "hardlink target %q: %v", hdr.Linkname, err)
		}
		if t == "." || t == p {
			return entry{}, invalid(hdr.Name, "hardlink to %q", hdr.Linkname)
		}
		if err := c.notThroughSymlink(hdr.Name, t); err != nil {
			return entry{}, err
		}
		e.target = t
	}
	return e, nil
}

// notThroughSymlink refuses a path whose parent directories include a
// symlink created earlier in this layer. A tar made by walking a filesystem
// never contains one.
func (c *checker) notThroughSymlink(raw, p string) error {
	if len(c.symlinks) == 0 {
		return nil
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && c.symlinks[p[:i]] {
			return invalid(raw, "written through symlink %q", p[:i])
		}
	}
	return nil
}

// forget drops a path that a later entry replaced or removed.
func (c *checker) forget(p string) { delete(c.symlinks, p) }
