package image

import (
	"archive/tar"
	"fmt"
	"path"
	"strings"

	"github.com/containerd/errdefs"
)

// maxSymlinkHops bounds symlink resolution, as the kernel's MAXSYMLINKS.
const maxSymlinkHops = 40

// layerChecker rejects layer entries that could write outside the root
// filesystem when unpacked: absolute names, names with "..", hard links
// that leave the root, and any entry written through a symlink of the same
// layer that points outside the root (absolute targets included: a tar made
// from a real tree never writes through a symlink, and a naive unpacker
// would follow an absolute one on the host). It looks at headers only, so
// load stays a streaming copy; the unpacker resolves paths in-root again.
type layerChecker struct {
	symlinks map[string]string // cleaned path → link target, this layer only
}

func newLayerChecker() *layerChecker {
	return &layerChecker{symlinks: map[string]string{}}
}

// check validates one header; entries must come in stream order.
func (c *layerChecker) check(h *tar.Header) error {
	name, err := cleanEntryName(h.Name)
	if err != nil {
		return err
	}
	if name == "" {
		return nil
	}
	if parent := path.Dir(name); parent != "." {
		if _, escapes := c.resolve(parent); escapes {
			return invalidLayer("%q is written through a symlink that points outside the root filesystem", h.Name)
		}
	}
	switch h.Typeflag {
	case tar.TypeSymlink:
		c.symlinks[name] = h.Linkname
	case tar.TypeLink:
		target, err := cleanEntryName(h.Linkname)
		if err != nil || target == "" {
			return invalidLayer("hard link %q points outside the root filesystem (%q)", h.Name, h.Linkname)
		}
		if _, escapes := c.resolve(target); escapes {
			return invalidLayer("hard link %q goes through a symlink that points outside the root filesystem", h.Name)
		}
		delete(c.symlinks, name)
	default:
		// A later entry replaces an earlier symlink of the same name.
		delete(c.symlinks, name)
	}
	return nil
}

// cleanEntryName returns the entry name relative to the root ("" for the
// root itself), refusing other absolute names and ".." components.
func cleanEntryName(name string) (string, error) {
	// umoci and some tar invocations write the root itself as "/":
	// harmless, and no path is written.
	if path.Clean(name) == "/" {
		return "", nil
	}
	if strings.HasPrefix(name, "/") {
		return "", invalidLayer("entry %q has an absolute path", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", invalidLayer("entry %q has a \"..\" path component", name)
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", nil
	}
	return clean, nil
}

// resolve follows this layer's symlinks through p (relative, clean) and
// reports whether any step leaves the root.
func (c *layerChecker) resolve(p string) (string, bool) {
	var done []string
	todo := strings.Split(p, "/")
	for hops := 0; len(todo) > 0; {
		part := todo[0]
		todo = todo[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			if len(done) == 0 {
				return "", true
			}
			done = done[:len(done)-1]
			continue
		}
		cur := strings.Join(append(done, part), "/")
		target, ok := c.symlinks[cur]
		if !ok {
			done = append(done, part)
			continue
		}
		if hops++; hops > maxSymlinkHops || strings.HasPrefix(target, "/") {
			return "", true
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return strings.Join(done, "/"), false
}

func invalidLayer(format string, args ...any) error {
	return fmt.Errorf("unsafe layer: "+format+": %w", append(args, errdefs.ErrInvalidArgument)...)
}
