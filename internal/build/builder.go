package build

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/berthproject/berth/internal/image"
	"github.com/berthproject/berth/internal/snapshot"
	"github.com/berthproject/berth/internal/store"
	"github.com/containerd/errdefs"
	registrytypes "github.com/moby/moby/api/types/registry"
)

// Config is what a Builder is made of.
type Config struct {
	Images    *image.Service
	DB        *store.DB
	Snapshots snapshot.Snapshotter
	// Runc is the berth-runc binary that runs RUN steps; "" finds it
	// beside the running executable, else in $PATH.
	Runc string
	// RuntimeRoot is berth-runc's state directory (--root) for the RUN
	// steps' containers, the builder's own.
	RuntimeRoot string
	// Pull fetches a base image the store lacks (or every base, with
	// --pull) into the image store; nil builds from the store only.
	Pull PullFunc
	// WorkDir is scratch space for build contexts, mounted root
	// filesystems and bundles; it must be on a disk, not in memory,
	// since a context can be large.
	WorkDir string
	// Networks puts RUN steps on the default bridge network (Docker's
	// default); nil leaves them a namespace with loopback only.
	Networks NetworkAttacher
}

// PullFunc pulls name for platform ("" for the host's) with the
// build's registry credentials, writing progress lines to out.
type PullFunc func(ctx context.Context, name, platform string, auth map[string]registrytypes.AuthConfig, out io.Writer) error

// Builder builds images from Dockerfiles. Builds may run concurrently.
type Builder struct {
	cfg Config
}

// runc is the runtime of RUN steps. The binary is looked up when a step
// needs it, so a builder whose builds have no RUN works without it.
func (b *Builder) runc() (runc, error) {
	bin, err := findRunc(b.cfg.Runc)
	if err != nil {
		return runc{}, err
	}
	return runc{bin: bin, root: b.cfg.RuntimeRoot}, nil
}

// New returns a Builder and removes what a build killed with the daemon
// left behind: mounts, scratch directories and writable snapshots.
func New(ctx context.Context, cfg Config) (*Builder, error) {
	if cfg.Images == nil || cfg.DB == nil || cfg.Snapshots == nil || cfg.RuntimeRoot == "" || cfg.WorkDir == "" {
		return nil, fmt.Errorf("builder: incomplete configuration: %w", errdefs.ErrInvalidArgument)
	}
	if err := os.MkdirAll(cfg.WorkDir, 0o700); err != nil {
		return nil, fmt.Errorf("builder work dir: %w", err)
	}
	b := &Builder{cfg: cfg}
	b.recover(ctx)
	return b, nil
}

// recover cleans up after builds that did not finish (the daemon died).
func (b *Builder) recover(ctx context.Context) {
	b.removeContainers(ctx)
	entries, _ := os.ReadDir(b.cfg.WorkDir)
	for _, e := range entries {
		dir := filepath.Join(b.cfg.WorkDir, e.Name())
		unmountUnder(ctx, dir)
		if err := os.RemoveAll(dir); err != nil {
			slog.WarnContext(ctx, "builder: remove leftover scratch dir", "dir", dir, "error", err)
		}
	}
	_ = b.cfg.Snapshots.Walk(ctx, func(info snapshot.Info) error {
		if info.Kind == snapshot.KindActive && strings.HasPrefix(info.Key, activePrefix) {
			_ = b.cfg.Snapshots.Remove(ctx, info.Key)
		}
		return nil
	})
}

// removeContainers deletes the RUN containers in the state directory:
// their processes, cgroups and state.
func (b *Builder) removeContainers(ctx context.Context) {
	if _, err := os.Stat(b.cfg.RuntimeRoot); err != nil {
		return // no build has run a step
	}
	rc, err := b.runc()
	if err != nil {
		slog.WarnContext(ctx, "builder: cannot remove the containers of unfinished builds", "error", err)
		return
	}
	ids, err := rc.list(ctx)
	if err != nil {
		slog.WarnContext(ctx, "builder: list leftover containers", "error", err)
		return
	}
	for _, id := range ids {
		if err := rc.remove(ctx, id); err != nil {
			slog.WarnContext(ctx, "builder: remove leftover container", "id", id, "error", err)
		}
	}
}

// Build reads a build context (a tar, plain or compressed, or a bare
// Dockerfile) from body, builds the image and tags it. It returns the
// image ID. On failure no image is recorded or tagged and no container,
// mount or writable snapshot is left.
func (b *Builder) Build(ctx context.Context, body io.Reader, opts Options, rep Reporter) (string, error) {
	scratch, err := os.MkdirTemp(b.cfg.WorkDir, "build-")
	if err != nil {
		return "", fmt.Errorf("builder scratch dir: %w", err)
	}
	defer func() {
		unmountUnder(context.WithoutCancel(ctx), scratch)
		os.RemoveAll(scratch)
	}()
	bc, err := openContext(ctx, body, opts.Dockerfile, filepath.Join(scratch, "context"))
	if err != nil {
		return "", err
	}
	df, err := parseDockerfile(bc.dockerfileName, bc.dockerfile)
	if err != nil {
		return "", err
	}
	out := io.Writer(&lockedWriter{w: rep})
	if opts.Quiet {
		out = io.Discard
	}
	sess := b.cfg.Images.NewBuildSession()
	defer sess.Close(context.WithoutCancel(ctx))
	run := &buildRun{b: b, opts: opts, ctx: bc, df: df, out: out, sess: sess, scratch: scratch}
	id, err := run.execute(ctx)
	if err != nil {
		return "", err
	}
	rep.ImageID(id.String())
	if opts.Quiet {
		fmt.Fprintf(rep, "%s\n", id)
		return id.String(), nil
	}
	fmt.Fprintf(out, "Successfully built %s\n", shortID(id.String()))
	for _, t := range run.tags {
		fmt.Fprintf(out, "Successfully tagged %s\n", t)
	}
	return id.String(), nil
}

// lockedWriter serialises writes from a RUN step's stdout and stderr.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
