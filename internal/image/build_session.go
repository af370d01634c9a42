package image

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// BuildSession is one Dockerfile build as the image service sees it: the
// layer blobs it writes or reuses are held (no garbage collection takes
// them) until Close, and Record turns a config and its layers into an
// image. A build that fails leaves no image and, after Close, none of the
// blobs it wrote that nothing else refers to.
type BuildSession struct {
	s *Service
	l *lease
}

// BuiltLayer is a layer blob of a built image with its facts.
type BuiltLayer struct {
	Desc   ocispec.Descriptor
	DiffID digest.Digest
	// Size is the uncompressed size.
	Size int64
}

// NewBuildSession starts a build.
func (s *Service) NewBuildSession() *BuildSession { return &BuildSession{s: s, l: s.newLease()} }

// Close ends the session: blobs it created that no image references are
// deleted.
func (b *BuildSession) Close(ctx context.Context) { b.l.release(ctx) }

// Hold protects an existing blob (a cached layer, a base image's layer)
// for the rest of the build and reports whether it is still stored.
func (b *BuildSession) Hold(ctx context.Context, d digest.Digest) bool {
	b.l.hold(d)
	_, err := b.s.cs.Info(ctx, d)
	return err == nil
}

// Open reads a stored blob; it makes the session a snapshot.BlobOpener.
func (b *BuildSession) Open(ctx context.Context, d digest.Digest) (io.ReadCloser, error) {
	return b.s.cs.Open(ctx, d)
}

// WriteLayer stores the uncompressed layer tar that write produces. Layers
// are kept uncompressed, so the blob digest is the diffID.
func (b *BuildSession) WriteLayer(ctx context.Context, write func(io.Writer) error) (BuiltLayer, error) {
	w, err := b.s.cs.Writer(ctx)
	if err != nil {
		return BuiltLayer{}, err
	}
	defer w.Close()
	if err := write(w); err != nil {
		return BuiltLayer{}, err
	}
	d := w.Digest()
	b.l.hold(d)
	info, created, err := w.Commit(ctx, d, w.Size())
	if created {
		b.l.addCreated(d)
	}
	if err != nil {
		return BuiltLayer{}, fmt.Errorf("store layer: %w", err)
	}
	return BuiltLayer{Desc: ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayer, Digest: d, Size: info.Size}, DiffID: d, Size: info.Size}, nil
}

// Record stores config (an image config in JSON, whose rootfs lists the
// layers' diffIDs) with an OCI manifest and records the image, giving it
// tags (any name form; "latest" is added where no tag is given). It
// returns the image ID. Recording the same config again only adds tags.
func (b *BuildSession) Record(ctx context.Context, config []byte, layers []BuiltLayer, tags []string) (digest.Digest, error) {
	var cfg ocispec.Image
	if err := json.Unmarshal(config, &cfg); err != nil {
		return "", fmt.Errorf("built image config: %v: %w", err, errdefs.ErrInvalidArgument)
	}
	if len(cfg.RootFS.DiffIDs) != len(layers) {
		return "", fmt.Errorf("built image config lists %d layers, the build made %d: %w", len(cfg.RootFS.DiffIDs), len(layers), errdefs.ErrInvalidArgument)
	}
	var full []string
	for _, t := range tags {
		ref, err := parseTag(t)
		if err != nil {
			return "", err
		}
		full = append(full, ref.String())
	}
	id := digest.FromBytes(config)
	cfgDesc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: id, Size: int64(len(config))}
	m := ocispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest, Config: cfgDesc, Layers: []ocispec.Descriptor{}}
	rec := record{ID: id, Config: cfgDesc, Loaded: time.Now().UTC(), Layers: []ocispec.Descriptor{}, DiffIDs: []digest.Digest{}, LayerSizes: []int64{}}
	if cfg.Created != nil {
		rec.Created = cfg.Created.UTC()
	}
	for i, l := range layers {
		if l.DiffID != cfg.RootFS.DiffIDs[i] {
			return "", fmt.Errorf("built layer %d has diffID %s but the config expects %s: %w", i+1, l.DiffID, cfg.RootFS.DiffIDs[i], errdefs.ErrInvalidArgument)
		}
		if !b.Hold(ctx, l.Desc.Digest) {
			return "", fmt.Errorf("built layer %d (%s) is no longer stored: %w", i+1, l.Desc.Digest, errdefs.ErrNotFound)
		}
		m.Layers = append(m.Layers, l.Desc)
		rec.Layers = append(rec.Layers, l.Desc)
		rec.DiffIDs = append(rec.DiffIDs, l.DiffID)
		rec.LayerSizes = append(rec.LayerSizes, l.Size)
	}
	mb, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	rec.Manifest = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(mb), Size: int64(len(mb))}
	c := candidate{rec: rec, tags: full, small: map[digest.Digest][]byte{id: config, rec.Manifest.Digest: mb}}
	if err := b.s.commit(ctx, []candidate{c}, b.l); err != nil {
		return "", err
	}
	return id, nil
}

// Base resolves name (a FROM line, a COPY --from, a --cache-from) and
// returns the image's ID, raw config and layers, holding its blobs for the
// rest of the build.
func (b *BuildSession) Base(ctx context.Context, name string) (digest.Digest, []byte, []BuiltLayer, error) {
	rec, _, err := b.s.resolve(ctx, name)
	if err != nil {
		return "", nil, nil, err
	}
	for _, d := range rec.blobs() {
		b.l.hold(d)
	}
	raw, err := b.s.cs.ReadAll(ctx, rec.Config.Digest)
	if err != nil {
		return "", nil, nil, fmt.Errorf("image %s: config: %w", rec.ID, err)
	}
	layers := make([]BuiltLayer, len(rec.Layers))
	for i, l := range rec.Layers {
		layers[i] = BuiltLayer{Desc: l, DiffID: rec.DiffIDs[i], Size: rec.LayerSizes[i]}
	}
	return rec.ID, raw, layers, nil
}
