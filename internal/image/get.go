package image

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Image is a resolved image, for the services that run containers from it.
type Image struct {
	ID          digest.Digest
	RepoTags    []string // familiar form ("busybox:latest")
	RepoDigests []string
	Manifest    ocispec.Descriptor
	// ConfigBytes is the raw config blob; Config is it parsed.
	ConfigBytes []byte
	Config      ocispec.Image
	// Layers are the layer blobs, bottom first; DiffIDs their uncompressed
	// digests, in the same order.
	Layers  []ocispec.Descriptor
	DiffIDs []digest.Digest
	Size    int64
}

// Get resolves name and returns the image with its parsed config.
func (s *Service) Get(ctx context.Context, name string) (*Image, error) {
	rec, _, err := s.resolve(ctx, name)
	if err != nil {
		return nil, err
	}
	raw, cfg, err := s.config(ctx, rec)
	if err != nil {
		return nil, err
	}
	return &Image{
		ID: rec.ID, RepoTags: familiarAll(rec.RepoTags), RepoDigests: familiarAll(rec.RepoDigests),
		Manifest: rec.Manifest, ConfigBytes: raw, Config: cfg,
		Layers: rec.Layers, DiffIDs: rec.DiffIDs, Size: rec.size(),
	}, nil
}

// config reads and parses an image's config blob.
func (s *Service) config(ctx context.Context, rec record) ([]byte, ocispec.Image, error) {
	var cfg ocispec.Image
	raw, err := s.cs.ReadAll(ctx, rec.Config.Digest)
	if err != nil {
		return nil, cfg, fmt.Errorf("image %s: config: %w", rec.ID, err)
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, cfg, fmt.Errorf("image %s: config: %w", rec.ID, err)
	}
	return raw, cfg, nil
}
