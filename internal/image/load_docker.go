package image

import (
	"encoding/json"
	"fmt"

	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// dockerManifestEntry is one image of a docker-archive's manifest.json.
type dockerManifestEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

func (a *archiveReader) dockerManifest() ([]dockerManifestEntry, error) {
	m, err := a.lookup("manifest.json")
	if err != nil || m.stored {
		return nil, fmt.Errorf("load: manifest.json is missing or too large: %w", errdefs.ErrInvalidArgument)
	}
	var entries []dockerManifestEntry
	if err := json.Unmarshal(m.data, &entries); err != nil {
		return nil, fmt.Errorf("load: manifest.json is not valid: %v: %w", err, errdefs.ErrInvalidArgument)
	}
	return entries, nil
}

// dockerImages interprets a docker-archive: manifest.json names each
// image's config and layer files. berth records an OCI manifest made from
// them (deterministically, so a save and a reload give the same digest).
func (a *archiveReader) dockerImages() ([]candidate, error) {
	entries, err := a.dockerManifest()
	if err != nil {
		return nil, err
	}
	var cands []candidate
	for _, e := range entries {
		cfg, err := a.lookup(e.Config)
		if err != nil {
			return nil, err
		}
		if cfg.stored {
			return nil, fmt.Errorf("load: image config %s is larger than %d bytes: %w", e.Config, smallFile, errdefs.ErrInvalidArgument)
		}
		var layers []*member
		for _, p := range e.Layers {
			m, err := a.lookup(p)
			if err != nil {
				return nil, err
			}
			layers = append(layers, m)
		}
		c, err := newCandidate(cfg.data, layers, nil)
		if err != nil {
			return nil, err
		}
		man := ocispec.Manifest{
			Versioned: specs.Versioned{SchemaVersion: 2},
			MediaType: ocispec.MediaTypeImageManifest,
			Config:    c.rec.Config,
			Layers:    c.rec.Layers,
		}
		raw, err := json.Marshal(man)
		if err != nil {
			return nil, fmt.Errorf("load: make manifest: %w", err)
		}
		c.rec.Manifest = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(raw), Size: int64(len(raw))}
		c.small[c.rec.Manifest.Digest] = raw
		for _, t := range e.RepoTags {
			full, err := normalTag(t)
			if err != nil {
				return nil, err
			}
			c.addTag(full)
		}
		cands = append(cands, c)
	}
	if len(cands) == 1 && len(cands[0].tags) == 0 {
		if err := a.legacyRepositories(&cands[0]); err != nil {
			return nil, err
		}
	}
	return cands, nil
}

// legacyRepositories takes the tags of a single-image archive from the
// legacy "repositories" file when manifest.json has none.
func (a *archiveReader) legacyRepositories(c *candidate) error {
	m, ok := a.members["repositories"]
	if !ok || m.stored {
		return nil
	}
	var repos map[string]map[string]string
	if err := json.Unmarshal(m.data, &repos); err != nil {
		return fmt.Errorf("load: repositories is not valid: %v: %w", err, errdefs.ErrInvalidArgument)
	}
	for repo, tags := range repos {
		for tag := range tags {
			full, err := normalTag(repo + ":" + tag)
			if err != nil {
				return err
			}
			c.addTag(full)
		}
	}
	return nil
}

// addDockerTags adds the RepoTags of a combined archive's manifest.json
// (Docker 25+ writes both it and index.json) to the images index.json gave.
func (a *archiveReader) addDockerTags(cands []candidate) error {
	if _, ok := a.members["manifest.json"]; !ok {
		return nil
	}
	entries, err := a.dockerManifest()
	if err != nil {
		return err
	}
	for _, e := range entries {
		cfg, err := a.lookup(e.Config)
		if err != nil {
			continue
		}
		for i := range cands {
			if cands[i].rec.ID != cfg.digest {
				continue
			}
			for _, t := range e.RepoTags {
				full, err := normalTag(t)
				if err != nil {
					return err
				}
				cands[i].addTag(full)
			}
		}
	}
	return nil
}
