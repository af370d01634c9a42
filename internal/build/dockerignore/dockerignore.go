// Package dockerignore applies a build context's .dockerignore with
// Docker's pattern rules (github.com/moby/patternmatcher): the CLI uses it
// to leave excluded files out of the context it sends, the builder to
// remove them from a context that arrived with them.
package dockerignore

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/containerd/errdefs"
	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Load reads <dockerfile>.dockerignore, or else .dockerignore, from the
// context directory dir. It returns nil when there is neither.
func Load(dir, dockerfile string) (*patternmatcher.PatternMatcher, error) {
	for _, name := range []string{dockerfile + ".dockerignore", ".dockerignore"} {
		p, err := securejoin.SecureJoin(dir, name)
		if err != nil {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		patterns, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s: %v: %w", name, err, errdefs.ErrInvalidArgument)
		}
		pm, err := patternmatcher.New(patterns)
		if err != nil {
			return nil, fmt.Errorf("%s: %v: %w", name, err, errdefs.ErrInvalidArgument)
		}
		return pm, nil
	}
	return nil, nil
}

// Walk calls fn for every file and directory under dir, in lexical order,
// with its path relative to dir and whether pm excludes it (pm may be
// nil). A directory excluded while no exception pattern exists is passed
// as excluded and not entered; fn may return filepath.SkipDir.
func Walk(ctx context.Context, dir string, pm *patternmatcher.PatternMatcher, fn func(rel string, d fs.DirEntry, excluded bool) error) error {
	parents := map[string]patternmatcher.MatchInfo{}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		excluded := false
		if pm != nil {
			var info patternmatcher.MatchInfo
			excluded, info, err = pm.MatchesUsingParentResults(rel, parents[filepath.Dir(rel)])
			if err != nil {
				return err
			}
			if d.IsDir() {
				parents[rel] = info
			}
		}
		if err := fn(rel, d, excluded); err != nil {
			return err
		}
		if excluded && d.IsDir() && !pm.Exclusions() {
			return filepath.SkipDir
		}
		return nil
	})
}
