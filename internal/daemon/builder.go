package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/berthproject/berth/internal/build"
	"github.com/berthproject/berth/internal/network"
	"github.com/berthproject/berth/internal/registry"
	"github.com/berthproject/berth/internal/snapshot"
	"github.com/distribution/reference"
	registrytypes "github.com/moby/moby/api/types/registry"
)

// openBuilder builds the Dockerfile builder and sets s.builder. The
// builder keeps its own snapshotter root (<root>/builder) and berth-runc
// state (<exec-root>/builder): its RUN containers are not the container
// service's, and two snapshotters must not share a directory.
func (s *services) openBuilder(ctx context.Context, cfg Config, logger *slog.Logger) error {
	root := filepath.Join(cfg.Root, "builder")
	sn, err := snapshot.New(ctx, root)
	if err != nil {
		return fmt.Errorf("builder snapshots: %w", err)
	}
	bcfg := build.Config{
		Images:    s.images,
		DB:        s.db,
		Snapshots: sn,
		// RUN steps run through the berth-runc binary installed beside
		// the daemon's, with a state directory of their own.
		RuntimeRoot: filepath.Join(cfg.ExecRoot, "builder"),
		WorkDir:     filepath.Join(root, "tmp"),
	}
	if s.registry != nil {
		bcfg.Pull = builderPull(s.registry)
	}
	// RUN steps go on the default bridge network when openNetworks has
	// built a network service.
	if nets, ok := s.networks.(interface{ Manager() *network.Manager }); ok {
		bcfg.Networks = nets.Manager()
	}
	b, err := build.New(ctx, bcfg)
	if err != nil {
		return err
	}
	s.builder = b
	logger.Debug("builder ready", "snapshotter", sn.Name())
	return nil
}

// builderPull lets FROM pull a missing base image through the registry
// service, with the credentials the client sent for its registry.
func builderPull(reg interface {
	Pull(context.Context, string, registry.PullOptions, registry.ProgressFunc) error
}) build.PullFunc {
	return func(ctx context.Context, name, platform string, auth map[string]registrytypes.AuthConfig, out io.Writer) error {
		opts := registry.PullOptions{Platform: platform}
		if ref, err := reference.ParseNormalizedNamed(name); err == nil {
			domain := reference.Domain(ref)
			for _, key := range []string{domain, "https://" + domain, "http://" + domain, "https://index.docker.io/v1/"} {
				if a, ok := auth[key]; ok && (key != "https://index.docker.io/v1/" || domain == "docker.io") {
					opts.Auth = a
					break
				}
			}
		}
		return reg.Pull(ctx, name, opts, func(p registry.Progress) {
			switch {
			case p.Detail || p.Status == "":
			case p.ID != "":
				fmt.Fprintf(out, "%s: %s\n", p.ID, p.Status)
			default:
				fmt.Fprintln(out, p.Status)
			}
		})
	}
}
