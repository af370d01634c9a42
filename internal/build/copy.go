package build

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// copySpec is a COPY or ADD after expansion.
type copySpec struct {
	what     string // "COPY" or "ADD"
	patterns []string
	contents []instructions.SourceContent
	dest     string
	from     string
	chown    string
	chmod    string
	// extract unpacks local tar archives (ADD).
	extract bool
	// root is where ADD's downloads are ("" for the build context).
	root string
}

func (r *buildRun) copyChange(ctx context.Context, st *stage, c *instructions.CopyCommand) (change, error) {
	if c.Parents || len(c.ExcludePatterns) > 0 {
		return change{}, locErr(r.df.name, c, fmt.Errorf("COPY --parents and --exclude need BuildKit: %w", errdefs.ErrNotImplemented))
	}
	return r.copyLike(ctx, st, c, copySpec{what: "COPY", patterns: c.SourcePaths, contents: c.SourceContents, dest: c.DestPath, from: c.From, chown: c.Chown, chmod: c.Chmod})
}

func (r *buildRun) addChange(ctx context.Context, st *stage, c *instructions.AddCommand) (change, error) {
	if c.Checksum != "" || c.KeepGitDir != nil || len(c.ExcludePatterns) > 0 {
		return change{}, locErr(r.df.name, c, fmt.Errorf("ADD --checksum, --keep-git-dir and --exclude need BuildKit: %w", errdefs.ErrNotImplemented))
	}
	spec := copySpec{what: "ADD", contents: c.SourceContents, dest: c.DestPath, chown: c.Chown, chmod: c.Chmod, extract: c.Unpack == nil || *c.Unpack}
	// Remote sources are fetched now: their content is part of the key.
	var urls []string
	for _, p := range c.SourcePaths {
		if isURL(p) {
			urls = append(urls, p)
		} else {
			spec.patterns = append(spec.patterns, p)
		}
	}
	if len(urls) > 0 {
		if len(spec.patterns) > 0 || len(spec.contents) > 0 {
			return change{}, locErr(r.df.name, c, fmt.Errorf("ADD of URLs together with local files is not supported: use one ADD for each: %w", errdefs.ErrNotImplemented))
		}
		dir, names, err := r.download(ctx, urls)
		if err != nil {
			return change{}, locErr(r.df.name, c, err)
		}
		// Docker does not unpack archives fetched from a URL.
		spec.root, spec.patterns, spec.extract = dir, names, false
	}
	return r.copyLike(ctx, st, c, spec)
}

// copyLike builds the change of a COPY or ADD whose sources are local
// (the context, heredocs, or another stage's or image's files).
func (r *buildRun) copyLike(ctx context.Context, st *stage, cmd instructions.Command, spec copySpec) (change, error) {
	root := r.ctx.dir
	if spec.root != "" {
		root = spec.root
	}
	var fromLayers []builtLayers
	if len(spec.contents) > 0 {
		dir, err := r.heredocFiles(spec.contents)
		if err != nil {
			return change{}, err
		}
		root = dir
		for _, sc := range spec.contents {
			spec.patterns = append(spec.patterns, sc.Path)
		}
	}
	if spec.from != "" {
		layers, err := r.fromLayers(ctx, spec.from)
		if err != nil {
			return change{}, locErr(r.df.name, cmd, err)
		}
		fromLayers = append(fromLayers, layers)
	}
	if len(spec.patterns) == 0 {
		return change{}, locErr(r.df.name, cmd, fmt.Errorf("no source files"))
	}
	var hash string
	resolveAndHash := func(root string) error {
		srcs, err := resolveSources(root, spec.patterns, spec.what)
		if err != nil {
			return err
		}
		hashFile := diskHasher(root)
		if root == r.ctx.dir {
			hashFile = contextHasher(root, r.ctx.sums)
		}
		hash, err = sourcesDigest(root, hashFile, srcs, spec.root != "")
		return err
	}
	var err error
	if fromLayers != nil {
		err = r.withRO(ctx, fromLayers[0], resolveAndHash)
	} else {
		err = resolveAndHash(root)
	}
	if err != nil {
		return change{}, err
	}
	dest, destIsDir, err := st.destination(spec, len(spec.patterns) > 1)
	if err != nil {
		return change{}, locErr(r.df.name, cmd, err)
	}
	layers := slices.Clone(st.layers)
	return change{
		createdBy: nopString(st.shell(), copyComment(spec, hash)),
		keyExtra:  fmt.Sprintf("chown=%s chmod=%s from=%s", spec.chown, spec.chmod, spec.from),
		fs: func(ctx context.Context) (*image.BuiltLayer, error) {
			return r.withRW(ctx, layers, func(rootfs string) error {
				copyTo := func(srcRoot string) error {
					srcs, err := resolveSources(srcRoot, spec.patterns, spec.what)
					if err != nil {
						return err
					}
					return copyInto(ctx, rootfs, srcs, dest, destIsDir, spec)
				}
				if fromLayers != nil {
					return r.withRO(ctx, fromLayers[0], copyTo)
				}
				return copyTo(root)
			})
		},
	}, nil
}

// copyComment is the history comment of a COPY or ADD, worded as
// Docker's classic builder's: the destination as written, a trailing
// space, and --chown (only) before the source digest.
func copyComment(spec copySpec, hash string) string {
	chown := ""
	if spec.chown != "" {
		chown = "--chown=" + spec.chown + " "
	}
	return fmt.Sprintf("%s %s%s in %s ", spec.what, chown, hash, spec.dest)
}

type builtLayers = []image.BuiltLayer

// fromLayers are the layers of COPY --from: a stage built before, or an
// image in the store.
func (r *buildRun) fromLayers(ctx context.Context, from string) ([]image.BuiltLayer, error) {
	if j, ok := r.df.stageIndex(from, len(r.df.stages)); ok {
		if r.stages[j] == nil {
			return nil, fmt.Errorf("COPY --from=%s: the stage is not built before this one: %w", from, errdefs.ErrInvalidArgument)
		}
		return slices.Clone(r.stages[j].layers), nil
	}
	_, _, layers, err := r.sess.Base(ctx, from)
	if errdefs.IsNotFound(err) {
		return nil, fmt.Errorf("COPY --from=%s: no stage or image of that name: %w", from, errdefs.ErrNotFound)
	}
	return layers, err
}

// destination resolves a COPY/ADD destination against WORKDIR and tells
// whether it names a directory (a trailing slash, "." or several sources).
func (st *stage) destination(spec copySpec, multi bool) (string, bool, error) {
	d := spec.dest
	isDir := strings.HasSuffix(d, "/") || d == "." || strings.HasSuffix(d, "/.")
	if !path.IsAbs(d) {
		d = path.Join("/", st.img.Config.WorkingDir, d)
	}
	d = path.Clean(d)
	if multi && !isDir {
		return "", false, fmt.Errorf("when using %s with more than one source file, the destination must be a directory and end with a /", spec.what)
	}
	return d, isDir || d == "/", nil
}

// heredocFiles writes the inline files of a COPY <<EOF into a directory.
func (r *buildRun) heredocFiles(contents []instructions.SourceContent) (string, error) {
	dir, err := os.MkdirTemp(r.scratch, "heredoc-")
	if err != nil {
		return "", err
	}
	for _, c := range contents {
		name := filepath.Base(filepath.Clean("/" + c.Path))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(c.Data), 0o644); err != nil {
			return "", err
		}
		_ = os.Chmod(filepath.Join(dir, name), 0o644)
	}
	return dir, nil
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
