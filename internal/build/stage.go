package build

import (
	"context"
	"encoding/json"
	"fmt"
	goruntime "runtime"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/image"
	"github.com/berthproject/berth/internal/oci"
	"github.com/containerd/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// stage is the state of a stage between steps: the image it is so far,
// and the cache key that names that state.
type stage struct {
	name   string
	img    dockerspec.DockerOCIImage
	layers []image.BuiltLayer
	key    digest.Digest
	// config is img as JSON: the ID of the state is its digest.
	config []byte
	// args are the ARGs declared in the stage, with their values.
	args []string
	// cmdSet is whether the stage set CMD (ENTRYPOINT then keeps it).
	cmdSet bool
}

func (st *stage) id() digest.Digest { return digest.FromBytes(st.config) }

// env is what variables expand to in the stage: its ARGs, overridden by
// its ENV.
func (st *stage) env() shell.EnvGetter {
	return envGetter(append(append([]string{}, st.args...), st.img.Config.Env...))
}

func envGetter(kvs []string) shell.EnvGetter { return shell.EnvsFromSlice(kvs) }

// defaultShell is the shell of RUN, CMD and ENTRYPOINT in shell form.
var defaultShell = []string{"/bin/sh", "-c"}

func (st *stage) shell() []string {
	if len(st.img.Config.Shell) > 0 {
		return st.img.Config.Shell
	}
	return defaultShell
}

// buildStage runs the FROM of stage i and then each of its instructions.
func (r *buildRun) buildStage(ctx context.Context, i int) (*stage, error) {
	ds := r.df.stages[i]
	r.step++
	fmt.Fprintf(r.out, "Step %d/%d : %s\n", r.step, r.total, ds.SourceCode)
	st, err := r.from(ctx, i)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ds.SourceCode, err)
	}
	st.name = ds.Name
	fmt.Fprintf(r.out, " ---> %s\n", shortID(st.id().String()))
	if triggers := st.img.Config.OnBuild; len(triggers) > 0 {
		st.img.Config.OnBuild = nil
		if err := st.marshal(); err != nil {
			return nil, err
		}
		fmt.Fprintf(r.out, "# Executing %d build trigger", len(triggers))
		if len(triggers) > 1 {
			fmt.Fprint(r.out, "s")
		}
		fmt.Fprintln(r.out)
		for _, t := range triggers {
			cmd, err := parseTrigger(t)
			if err != nil {
				return nil, err
			}
			if err := r.dispatch(ctx, st, cmd, true); err != nil {
				return nil, err
			}
		}
	}
	for _, cmd := range ds.Commands {
		r.step++
		fmt.Fprintf(r.out, "Step %d/%d : %s\n", r.step, r.total, cmdString(cmd))
		if err := r.dispatch(ctx, st, cmd, false); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func cmdString(cmd instructions.Command) string {
	if s, ok := cmd.(fmt.Stringer); ok {
		return s.String()
	}
	return cmd.Name()
}

// parseTrigger parses an ONBUILD trigger of the base image.
func parseTrigger(t string) (instructions.Command, error) {
	res, err := parser.Parse(strings.NewReader(t))
	if err != nil || len(res.AST.Children) != 1 {
		return nil, fmt.Errorf("ONBUILD trigger %q of the base image: %v: %w", t, err, errdefs.ErrInvalidArgument)
	}
	cmd, err := instructions.ParseCommand(res.AST.Children[0])
	if err != nil {
		return nil, fmt.Errorf("ONBUILD trigger %q of the base image: %v: %w", t, err, errdefs.ErrInvalidArgument)
	}
	switch cmd.(type) {
	case *instructions.OnbuildCommand:
		return nil, fmt.Errorf("ONBUILD trigger %q: chaining ONBUILD via ONBUILD ONBUILD is not allowed: %w", t, errdefs.ErrInvalidArgument)
	}
	return cmd, nil
}

// from starts stage i from an earlier stage, scratch or a stored image.
func (r *buildRun) from(ctx context.Context, i int) (*stage, error) {
	ds := r.df.stages[i]
	base, err := r.expandMeta(ds.BaseName)
	if err != nil {
		return nil, err
	}
	platform := r.opts.Platform
	if ds.Platform != "" {
		if platform, err = r.expandMeta(ds.Platform); err != nil {
			return nil, err
		}
		if err := checkPlatform(platform); err != nil {
			return nil, err
		}
	}
	if j, ok := r.df.stageIndex(base, i); ok {
		prev := r.stages[j]
		st := &stage{key: prev.key, layers: append([]image.BuiltLayer{}, prev.layers...), config: prev.config}
		if err := json.Unmarshal(prev.config, &st.img); err != nil {
			return nil, err
		}
		return st, nil
	}
	if strings.EqualFold(base, "scratch") {
		st := &stage{key: digest.FromString("FROM scratch")}
		st.img.Platform = ocispec.Platform{OS: "linux", Architecture: goruntime.GOARCH}
		st.img.RootFS = ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{}}
		st.img.Config.Env = []string{"PATH=" + oci.DefaultPath}
		return st, st.marshal()
	}
	pull := r.b.cfg.Pull
	if r.opts.Pull && pull != nil {
		if err := pull(ctx, base, platform, r.opts.RegistryAuth, r.out); err != nil {
			return nil, err
		}
	}
	id, raw, layers, err := r.sess.Base(ctx, base)
	if errdefs.IsNotFound(err) && pull != nil && !r.opts.Pull {
		if err := pull(ctx, base, platform, r.opts.RegistryAuth, r.out); err != nil {
			return nil, err
		}
		id, raw, layers, err = r.sess.Base(ctx, base)
	}
	if errdefs.IsNotFound(err) {
		return nil, fmt.Errorf("base image %q is not in the image store: pull or load it first: %w", base, errdefs.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	st := &stage{key: digest.FromString("FROM " + id.String()), layers: layers, config: raw}
	if err := json.Unmarshal(raw, &st.img); err != nil {
		return nil, fmt.Errorf("base image %s: config: %w", id, err)
	}
	if st.img.RootFS.DiffIDs == nil {
		st.img.RootFS = ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{}}
	}
	return st, nil
}

func (st *stage) marshal() error {
	b, err := json.Marshal(st.img)
	if err != nil {
		return fmt.Errorf("image config: %w", err)
	}
	st.config = b
	return nil
}

// checkPlatform accepts the host's platform only: berth runs no emulator.
func checkPlatform(p string) error {
	if p == "" {
		return nil
	}
	os, arch, _ := strings.Cut(strings.ToLower(p), "/")
	arch, _, _ = strings.Cut(arch, "/")
	if os != "linux" || (arch != "" && arch != goruntime.GOARCH) {
		return fmt.Errorf("platform %q: berth builds only for this host's platform linux/%s: %w", p, goruntime.GOARCH, errdefs.ErrNotImplemented)
	}
	return nil
}

// now is the time recorded in history entries.
func now() *time.Time {
	t := time.Now().UTC()
	return &t
}
