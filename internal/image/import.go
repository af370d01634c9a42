package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/moby/moby/api/types/events"
	"io"
	"runtime"
	"time"

	"github.com/berthproject/berth/internal/archive"
	"github.com/containerd/errdefs"
	"github.com/klauspost/compress/gzip"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ImportOptions are the options of `docker import`.
type ImportOptions struct {
	// Ref tags the image ("name[:tag]"); empty leaves it untagged.
	Ref string
	// Changes are Dockerfile instructions applied to the config
	// ("CMD [\"sh\"]", "ENV A=b", …).
	Changes []string
	// Message is the history comment (default "Imported from -").
	Message string
}

// importedConfig is an image config with Docker's top-level "comment",
// which `docker import` sets to the message and inspect shows as Comment.
type importedConfig struct {
	dockerspec.DockerOCIImage
	Comment string `json:"comment,omitempty"`
}

// Import makes a one-layer image from a rootfs tarball (plain, gzip or
// zstd), as `docker import` does. The layer is stored uncompressed, so its
// digest is its diffID.
func (s *Service) Import(ctx context.Context, r io.Reader, opts ImportOptions) (string, error) {
	var tag string
	if opts.Ref != "" {
		t, err := parseTag(opts.Ref)
		if err != nil {
			return "", err
		}
		tag = t.String()
	}
	now := time.Now().UTC()
	// As Docker, the config starts empty (no Env: the runtime adds the
	// default PATH when a container starts).
	cfg := dockerspec.DockerOCIImage{Image: ocispec.Image{
		Created:  &now,
		Platform: ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH},
		RootFS:   ocispec.RootFS{Type: "layers"},
	}}
	for _, ch := range opts.Changes {
		if err := ApplyChange(&cfg.Config, ch); err != nil {
			return "", err
		}
	}
	l := s.newLease()
	defer l.release(ctx)
	layer, size, err := s.importLayer(ctx, r, l)
	if err != nil {
		return "", err
	}
	msg := opts.Message
	if msg == "" {
		msg = "Imported from -"
	}
	cfg.RootFS.DiffIDs = []digest.Digest{layer}
	cfg.History = []ocispec.History{{Created: &now, Comment: msg}}
	cfgBytes, err := json.Marshal(importedConfig{DockerOCIImage: cfg, Comment: msg})
	if err != nil {
		return "", fmt.Errorf("import: config: %w", err)
	}
	c := candidate{small: map[digest.Digest][]byte{}}
	id := digest.FromBytes(cfgBytes)
	c.rec = record{
		ID:         id,
		Config:     ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: id, Size: int64(len(cfgBytes))},
		Layers:     []ocispec.Descriptor{{MediaType: ocispec.MediaTypeImageLayer, Digest: layer, Size: size}},
		DiffIDs:    []digest.Digest{layer},
		LayerSizes: []int64{size},
		Created:    now,
		Loaded:     now,
	}
	man, err := json.Marshal(ocispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest,
		Config: c.rec.Config, Layers: c.rec.Layers})
	if err != nil {
		return "", fmt.Errorf("import: manifest: %w", err)
	}
	c.rec.Manifest = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(man), Size: int64(len(man))}
	c.small[id] = cfgBytes
	c.small[c.rec.Manifest.Digest] = man
	if tag != "" {
		c.tags = []string{tag}
	}
	if err := s.commit(ctx, []candidate{c}, l); err != nil {
		return "", err
	}
	s.emit(events.ActionImport, id.String(), id.String())
	if tag != "" {
		s.emit(events.ActionTag, id.String(), familiar(tag))
	}
	return id.String(), nil
}

// importLayer stores the uncompressed tarball as a blob, checking it on the
// way, and returns its digest and size.
func (s *Service) importLayer(ctx context.Context, r io.Reader, l *lease) (digest.Digest, int64, error) {
	src, err := archive.Decompress(r)
	if err != nil {
		return "", 0, fmt.Errorf("import: %w", err)
	}
	defer src.Close()
	w, err := s.cs.Writer(ctx)
	if err != nil {
		return "", 0, err
	}
	defer w.Close()
	sc, err := teeScan(w, src, make([]byte, copyBuffer))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) {
			return "", 0, fmt.Errorf("import: the tarball is truncated or corrupt: %w", errdefs.ErrInvalidArgument)
		}
		return "", 0, fmt.Errorf("import: read: %w", err)
	}
	if sc.err != nil {
		return "", 0, fmt.Errorf("import: %w", sc.err)
	}
	if w.Size() == 0 {
		return "", 0, fmt.Errorf("import: the tarball is empty: %w", errdefs.ErrInvalidArgument)
	}
	d := w.Digest()
	l.hold(d)
	info, created, err := w.Commit(ctx, d, -1)
	if err != nil {
		return "", 0, err
	}
	if created {
		l.addCreated(d)
	}
	return d, info.Size, nil
}
