package build

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/containerd/errdefs"
	securejoin "github.com/cyphar/filepath-securejoin"
)

// source is one file or directory a COPY or ADD copies.
type source struct {
	// host is the resolved path on the host, inside root.
	host string
	// name is the base name a file keeps at its destination.
	name  string
	isDir bool
}

// resolveSources expands the source patterns of a COPY/ADD inside root
// (the context, or a stage's or image's root filesystem). A path never
// leaves root: `..` stops at it and symlinks resolve within it.
func resolveSources(root string, patterns []string, what string) ([]source, error) {
	var out []source
	for _, p := range patterns {
		clean := path.Clean("/" + filepath.ToSlash(p))
		var matches []string
		if strings.ContainsAny(clean, "*?[") {
			m, err := glob(root, clean)
			if err != nil {
				return nil, fmt.Errorf("%s: bad pattern %q: %v: %w", what, p, err, errdefs.ErrInvalidArgument)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: no source files were specified by %q: %w", what, p, errdefs.ErrNotFound)
			}
			matches = m
		} else {
			matches = []string{clean}
		}
		for _, m := range matches {
			host, err := securejoin.SecureJoin(root, m)
			if err != nil {
				return nil, err
			}
			fi, err := os.Stat(host)
			if err != nil {
				return nil, fmt.Errorf("%s: file not found in build context or excluded by .dockerignore: stat %s: %w", what, strings.TrimPrefix(m, "/"), errdefs.ErrNotFound)
			}
			out = append(out, source{host: host, name: path.Base(m), isDir: fi.IsDir()})
		}
	}
	return out, nil
}

// glob matches a slash pattern inside root, component by component, so
// that no symlink takes the match outside.
func glob(root, pattern string) ([]string, error) {
	matches := []string{"/"}
	for _, part := range strings.Split(strings.Trim(pattern, "/"), "/") {
		var next []string
		for _, m := range matches {
			if !strings.ContainsAny(part, "*?[") {
				next = append(next, path.Join(m, part))
				continue
			}
			host, err := securejoin.SecureJoin(root, m)
			if err != nil {
				return nil, err
			}
			entries, err := os.ReadDir(host)
			if err != nil {
				continue
			}
			for _, e := range entries {
				ok, err := path.Match(part, e.Name())
				if err != nil {
					return nil, err
				}
				if ok {
					next = append(next, path.Join(m, e.Name()))
				}
			}
		}
		matches = next
	}
	var out []string
	for _, m := range matches {
		if host, err := securejoin.SecureJoin(root, m); err == nil {
			if _, err := os.Lstat(host); err == nil {
				out = append(out, m)
			}
		}
	}
	// In the order Docker's walk of the context finds them (each
	// directory's entries by name, depth first), which its "multi:"
	// digest follows.
	slices.SortFunc(out, func(a, b string) int {
		return slices.Compare(strings.Split(a, "/"), strings.Split(b, "/"))
	})
	return out, nil
}

// walkSource calls fn for a file source (following it if a symlink), or
// for every entry below a directory source (links not followed), with
// names relative to the source ("" for a file source itself).
func walkSource(s source, fn func(rel string, fi fs.FileInfo, host string) error) error {
	if !s.isDir {
		fi, err := os.Stat(s.host)
		if err != nil {
			return err
		}
		return fn("", fi, s.host)
	}
	return filepath.WalkDir(s.host, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.host, p)
		if rel == "." {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return fn(filepath.ToSlash(rel), fi, p)
	})
}
