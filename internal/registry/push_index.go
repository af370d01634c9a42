package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// pushManifests puts the image manifest, then its index when the index can
// be kept whole; it returns what the tag names.
func (s *Service) pushManifests(ctx context.Context, ep *endpoint, path, tag string, img image.Pushable, raw []byte, sources []string) (ocispec.Descriptor, error) {
	if img.Index == nil {
		return img.Manifest, ep.putManifest(ctx, path, tag, img.Manifest, raw)
	}
	if err := ep.putManifest(ctx, path, img.Manifest.Digest.String(), img.Manifest, raw); err != nil {
		return ocispec.Descriptor{}, err
	}
	idxRaw, err := s.images.ReadBlob(ctx, img.Index.Digest)
	if err == nil {
		err = s.completeIndex(ctx, ep, path, idxRaw, img.Manifest.Digest, sources)
	}
	if err != nil {
		// Docker's single-platform behaviour: the tag names this platform.
		slog.InfoContext(ctx, "pushing the platform manifest alone: the other platforms of its index are not available", "repository", path, "error", err)
		return img.Manifest, ep.putManifest(ctx, path, tag, img.Manifest, raw)
	}
	return *img.Index, ep.putManifest(ctx, path, tag, *img.Index, idxRaw)
}

// completeIndex makes every other manifest of the index present in path:
// already there, or copied (manifest fetched, blobs mounted) from a source
// repository of the same registry.
func (s *Service) completeIndex(ctx context.Context, ep *endpoint, path string, idxRaw []byte, own digest.Digest, sources []string) error {
	var idx ocispec.Index
	if err := json.Unmarshal(idxRaw, &idx); err != nil {
		return invalid(err)
	}
	for _, m := range idx.Manifests {
		if m.Digest == own {
			continue
		}
		if _, err := ep.getManifest(ctx, path, m.Digest.String()); err == nil {
			continue
		}
		if err := s.copyManifest(ctx, ep, path, m, sources); err != nil {
			return err
		}
	}
	return nil
}

// copyManifest copies one manifest between repositories of a registry by
// mounting its blobs.
func (s *Service) copyManifest(ctx context.Context, ep *endpoint, path string, m ocispec.Descriptor, sources []string) error {
	for _, src := range sources {
		f, err := ep.getManifest(ctx, src, m.Digest.String())
		if err != nil {
			continue
		}
		if isManifest(f.desc.MediaType) {
			var man ocispec.Manifest
			if err := json.Unmarshal(f.raw, &man); err != nil {
				return invalid(err)
			}
			for _, b := range append([]ocispec.Descriptor{man.Config}, man.Layers...) {
				if ok, _ := ep.hasBlob(ctx, path, b.Digest); ok {
					continue
				}
				if _, mounted, err := ep.startUpload(ctx, path, url.Values{"mount": {b.Digest.String()}, "from": {src}}); err != nil || !mounted {
					return fmt.Errorf("cannot mount %s from %s: %w", b.Digest, src, errdefs.ErrNotFound)
				}
			}
		}
		return ep.putManifest(ctx, path, m.Digest.String(), f.desc, f.raw)
	}
	return fmt.Errorf("manifest %s is in no repository berth can copy it from: %w", m.Digest, errdefs.ErrNotFound)
}
