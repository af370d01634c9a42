package image

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/containerd/errdefs"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Media types of Docker's registry formats, which OCI layouts may carry.
const (
	dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
	dockerManifest     = "application/vnd.docker.distribution.manifest.v2+json"
)

func isIndex(mt string) bool    { return mt == ocispec.MediaTypeImageIndex || mt == dockerManifestList }
func isManifest(mt string) bool { return mt == ocispec.MediaTypeImageManifest || mt == dockerManifest }

// blobBytes returns a small blob named by a descriptor, checking its size.
func (a *archiveReader) blobBytes(d ocispec.Descriptor) (*member, error) {
	m, err := a.blob(d.Digest)
	if err != nil {
		return nil, err
	}
	if m.size != d.Size {
		return nil, fmt.Errorf("load: blob %s is %d bytes but its descriptor says %d: %w", d.Digest, m.size, d.Size, errdefs.ErrInvalidArgument)
	}
	return m, nil
}

// ociImages interprets an OCI image layout: each index.json entry is a
// manifest, or an index from which the manifest for this platform is
// taken. Manifests are kept byte for byte.
func (a *archiveReader) ociImages() ([]candidate, error) {
	im, _ := a.lookup("index.json")
	if im.stored {
		return nil, fmt.Errorf("load: index.json is too large: %w", errdefs.ErrInvalidArgument)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(im.data, &idx); err != nil {
		return nil, fmt.Errorf("load: index.json is not valid: %v: %w", err, errdefs.ErrInvalidArgument)
	}
	var cands []candidate
	byManifest := map[string]int{}
	for _, d := range idx.Manifests {
		var parent *ocispec.Descriptor
		target := d
		if isIndex(d.MediaType) {
			child, err := a.platformManifest(d)
			if err != nil {
				return nil, err
			}
			p := d
			p.Annotations = nil
			parent, target = &p, child
		} else if !isManifest(d.MediaType) {
			continue // attestations and other artifacts
		}
		i, seen := byManifest[target.Digest.String()]
		if !seen {
			c, err := a.ociImage(target)
			if err != nil {
				return nil, err
			}
			c.rec.Index = parent
			if parent != nil {
				c.small[parent.Digest] = a.members["blobs/"+string(parent.Digest.Algorithm())+"/"+parent.Digest.Encoded()].data
			}
			cands = append(cands, c)
			i = len(cands) - 1
			byManifest[target.Digest.String()] = i
		}
		if name := refName(d); name != "" {
			full, err := normalTag(name)
			if err != nil {
				return nil, err
			}
			cands[i].addTag(full)
		}
	}
	return cands, nil
}

// platformManifest picks from an image index the manifest for this host
// (linux and GOARCH), or its only image manifest.
func (a *archiveReader) platformManifest(d ocispec.Descriptor) (ocispec.Descriptor, error) {
	m, err := a.blobBytes(d)
	if err != nil {
		return d, err
	}
	if m.stored {
		return d, fmt.Errorf("load: image index %s is too large: %w", d.Digest, errdefs.ErrInvalidArgument)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(m.data, &idx); err != nil {
		return d, fmt.Errorf("load: image index %s is not valid: %v: %w", d.Digest, err, errdefs.ErrInvalidArgument)
	}
	var found []ocispec.Descriptor
	for _, c := range idx.Manifests {
		if !isManifest(c.MediaType) {
			continue
		}
		if _, err := a.blob(c.Digest); err != nil {
			continue // other platforms are often left out of an archive
		}
		if c.Platform == nil || (c.Platform.OS == "linux" && c.Platform.Architecture == runtime.GOARCH) {
			return c, nil
		}
		found = append(found, c)
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return d, fmt.Errorf("load: image index %s has no manifest for linux/%s in the archive: %w", d.Digest, runtime.GOARCH, errdefs.ErrNotFound)
}

// ociImage reads one image manifest and checks its blobs.
func (a *archiveReader) ociImage(d ocispec.Descriptor) (candidate, error) {
	mm, err := a.blobBytes(d)
	if err != nil {
		return candidate{}, err
	}
	if mm.stored {
		return candidate{}, fmt.Errorf("load: manifest %s is too large: %w", d.Digest, errdefs.ErrInvalidArgument)
	}
	var man ocispec.Manifest
	if err := json.Unmarshal(mm.data, &man); err != nil {
		return candidate{}, fmt.Errorf("load: manifest %s is not valid: %v: %w", d.Digest, err, errdefs.ErrInvalidArgument)
	}
	cfg, err := a.blobBytes(man.Config)
	if err != nil {
		return candidate{}, err
	}
	if cfg.stored {
		return candidate{}, fmt.Errorf("load: image config %s is too large: %w", man.Config.Digest, errdefs.ErrInvalidArgument)
	}
	var layers []*member
	for _, l := range man.Layers {
		m, err := a.blobBytes(l)
		if err != nil {
			return candidate{}, err
		}
		layers = append(layers, m)
	}
	c, err := newCandidate(cfg.data, layers, man.Layers)
	if err != nil {
		return candidate{}, err
	}
	c.rec.Config = man.Config
	c.rec.Manifest = ocispec.Descriptor{MediaType: d.MediaType, Digest: d.Digest, Size: d.Size}
	c.small[d.Digest] = mm.data
	c.digestRefs = true
	return c, nil
}
