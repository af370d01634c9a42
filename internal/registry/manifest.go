package registry

import (
	"context"
	"encoding/json"

	registrytypes "github.com/moby/moby/api/types/registry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Manifest is a manifest or index as the registry serves it.
type Manifest struct {
	Descriptor ocispec.Descriptor
	Raw        []byte
	// Platforms are the platforms of an index's manifests, or of the image.
	Platforms []ocispec.Platform
}

// GetManifest fetches the manifest or index NAME names, verified, for
// GET /distribution/{name}/json and berth's raw-manifest route.
func (s *Service) GetManifest(ctx context.Context, name string, auth registrytypes.AuthConfig) (Manifest, error) {
	ref, err := parseRef(name, true)
	if err != nil {
		return Manifest{}, err
	}
	ep, err := s.connect(ctx, ref.host, auth, []string{pullScope(ref.path)})
	if err != nil {
		return Manifest{}, err
	}
	f, err := ep.getManifest(ctx, ref.path, ref.object())
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{Descriptor: f.desc, Raw: f.raw}
	if isIndex(f.desc.MediaType) {
		var idx ocispec.Index
		if json.Unmarshal(f.raw, &idx) == nil {
			for _, c := range idx.Manifests {
				if c.Platform != nil {
					m.Platforms = append(m.Platforms, *c.Platform)
				}
			}
		}
		return m, nil
	}
	var man ocispec.Manifest
	if json.Unmarshal(f.raw, &man) == nil {
		if cfg, err := ep.getSmallBlob(ctx, ref.path, man.Config); err == nil {
			var img ocispec.Image
			if json.Unmarshal(cfg, &img) == nil && img.OS != "" {
				m.Platforms = append(m.Platforms, img.Platform)
			}
		}
	}
	return m, nil
}
