package container

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// CommitOptions are POST /commit's.
type CommitOptions struct {
	Repo    string // name[:tag], "" for an untagged image
	Comment string
	Author  string
	Pause   bool     // freeze a running container while its layer is read
	Changes []string // Dockerfile instructions (CMD, ENV, LABEL, …)
}

// Commit makes an image of the container: its image's layers plus one
// layer of its changes, with its config (CMD, ENV, …) as the image config.
func (s *Service) Commit(ctx context.Context, ref string, o CommitOptions) (string, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return "", err
	}
	// Bad changes are refused before anything is written.
	for _, ch := range o.Changes {
		if err := image.ApplyChange(&dockerspec.DockerOCIImageConfig{}, ch); err != nil {
			return "", err
		}
	}
	c := s.record(e)
	sessioner, ok := s.cfg.Images.(interface{ NewBuildSession() *image.BuildSession })
	if !ok {
		return "", errdefs.ErrNotImplemented.WithMessage("commit: the image service cannot record images")
	}
	b := sessioner.NewBuildSession()
	defer b.Close(context.WithoutCancel(ctx))
	_, raw, layers, err := b.Base(ctx, c.ImageID)
	if err != nil {
		return "", fmt.Errorf("commit %s: image %s: %w", c.Name, c.ImageID, err)
	}
	if o.Pause && c.State.Status == "running" {
		if err := s.cfg.Monitor.Pause(ctx, c.ID); err == nil {
			defer func() { _ = s.cfg.Monitor.Resume(context.WithoutCancel(ctx), c.ID) }()
		}
	}
	layer, err := b.WriteLayer(ctx, func(w io.Writer) error { return s.cfg.Snapshots.Diff(ctx, c.ID, w) })
	if err != nil {
		return "", fmt.Errorf("commit %s: %w", c.Name, err)
	}
	var img dockerspec.DockerOCIImage
	if err := json.Unmarshal(raw, &img); err != nil {
		return "", fmt.Errorf("commit %s: image config: %w", c.Name, err)
	}
	t := now()
	cfg := c.Config
	img.Created = &t
	img.Author = o.Author
	img.Config.Cmd, img.Config.Entrypoint, img.Config.Env = cfg.Cmd, cfg.Entrypoint, cfg.Env
	img.Config.WorkingDir, img.Config.User, img.Config.Labels = cfg.WorkingDir, cfg.User, cfg.Labels
	img.Config.StopSignal, img.Config.Healthcheck = cfg.StopSignal, cfg.Healthcheck
	img.RootFS.DiffIDs = append(img.RootFS.DiffIDs, layer.DiffID)
	for _, ch := range o.Changes {
		if err := image.ApplyChange(&img.Config, ch); err != nil {
			return "", err
		}
	}
	img.History = append(img.History, ocispec.History{Created: &t, Author: o.Author, Comment: o.Comment,
		CreatedBy: strings.Join(append([]string{c.Path}, c.Args...), " ")})
	// Docker keeps the message in the config's top-level "comment" too,
	// which image inspect shows as Comment.
	cfgBytes, err := json.Marshal(struct {
		dockerspec.DockerOCIImage
		Comment string `json:"comment,omitempty"`
	}{img, o.Comment})
	if err != nil {
		return "", err
	}
	var tags []string
	if o.Repo != "" {
		tags = []string{o.Repo}
	}
	id, err := b.Record(ctx, cfgBytes, append(layers, layer), tags)
	if err != nil {
		return "", fmt.Errorf("commit %s: %w", c.Name, err)
	}
	s.emit(c, "commit", map[string]string{"comment": o.Comment})
	return id.String(), nil
}
