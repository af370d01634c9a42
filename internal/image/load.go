package image

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/moby/moby/api/types/events"
	"io"
	"slices"
	"time"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// candidate is an image found in an archive, verified but not yet recorded.
type candidate struct {
	rec  record
	tags []string // fully qualified
	// small holds blobs of members kept in memory, to be stored at commit.
	small map[digest.Digest][]byte
	// digestRefs is set for images that came with their own manifest (an
	// OCI layout): they get RepoDigests, as pulled images do.
	digestRefs bool
}

// Load reads a docker-archive or an OCI image-layout tar (gzipped or not)
// and records every image in it. It is all-or-nothing: records are
// committed only after every blob is verified and stored, and a failure
// removes the blobs it added. It returns the loaded tags in familiar form
// ("busybox:latest"), or the IDs of untagged images.
func (s *Service) Load(ctx context.Context, r io.Reader) ([]string, error) {
	l := s.newLease()
	defer l.release(ctx)
	a, err := s.readArchive(ctx, r, l)
	if err != nil {
		return nil, err
	}
	var cands []candidate
	if _, ok := a.members["index.json"]; ok {
		cands, err = a.ociImages()
		if err == nil {
			err = a.addDockerTags(cands)
		}
	} else if _, ok := a.members["manifest.json"]; ok {
		cands, err = a.dockerImages()
	} else {
		err = fmt.Errorf("load: the archive has neither manifest.json (docker-archive) nor index.json (OCI layout): %w", errdefs.ErrInvalidArgument)
	}
	if err != nil {
		return nil, err
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("load: the archive holds no image: %w", errdefs.ErrInvalidArgument)
	}
	if err := s.commit(ctx, cands, l); err != nil {
		return nil, err
	}
	var loaded []string
	for _, c := range cands {
		s.emit(events.ActionLoad, c.rec.ID.String(), c.rec.ID.String())
		if len(c.tags) == 0 {
			loaded = append(loaded, c.rec.ID.String())
		}
		for _, t := range c.tags {
			loaded = append(loaded, familiar(t))
		}
	}
	return loaded, nil
}

// newCandidate checks an image's config against its layers and fills the
// record. layers are the archive members in manifest order; media types,
// when given, come from the manifest (else from sniffing).
func newCandidate(cfgBytes []byte, layers []*member, layerDescs []ocispec.Descriptor) (candidate, error) {
	c := candidate{small: map[digest.Digest][]byte{}}
	var cfg ocispec.Image
	if err := json.Unmarshal(cfgBytes, &cfg); err != nil {
		return c, fmt.Errorf("load: image config is not valid JSON: %v: %w", err, errdefs.ErrInvalidArgument)
	}
	id := digest.FromBytes(cfgBytes)
	if len(cfg.RootFS.DiffIDs) != len(layers) {
		return c, fmt.Errorf("load: image %s: config lists %d layers, manifest %d: %w", id, len(cfg.RootFS.DiffIDs), len(layers), errdefs.ErrInvalidArgument)
	}
	c.rec = record{
		ID:     id,
		Config: ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: id, Size: int64(len(cfgBytes))},
		Loaded: time.Now().UTC(),
	}
	if cfg.Created != nil {
		c.rec.Created = cfg.Created.UTC()
	}
	c.small[id] = cfgBytes
	for i, m := range layers {
		sc, diffID, err := m.layer()
		if err != nil {
			return c, err
		}
		if diffID != cfg.RootFS.DiffIDs[i] {
			return c, fmt.Errorf("load: layer %d (%s) has diffID %s but the config expects %s: %w", i+1, m.path, diffID, cfg.RootFS.DiffIDs[i], errdefs.ErrInvalidArgument)
		}
		d := ocispec.Descriptor{MediaType: layerMediaType(sc.compression), Digest: m.digest, Size: m.size}
		if layerDescs != nil {
			d = layerDescs[i]
		}
		c.rec.Layers = append(c.rec.Layers, d)
		c.rec.DiffIDs = append(c.rec.DiffIDs, diffID)
		c.rec.LayerSizes = append(c.rec.LayerSizes, sc.size)
		if !m.stored {
			c.small[m.digest] = m.data
		}
	}
	return c, nil
}

// addTag adds a fully qualified tag once.
func (c *candidate) addTag(t string) {
	if !slices.Contains(c.tags, t) {
		c.tags = append(c.tags, t)
	}
}

// normalTag parses a tag found in an archive.
func normalTag(t string) (string, error) {
	ref, err := parseTag(t)
	if err != nil {
		return "", fmt.Errorf("load: archive names the image %q: %w", t, err)
	}
	return ref.String(), nil
}

// refName is the name an OCI index entry gives its image, if any: Docker's
// io.containerd.image.name, or an org.opencontainers.image.ref.name that is
// a whole reference (a bare tag like "latest" names no repository).
func refName(d ocispec.Descriptor) string {
	if n := d.Annotations["io.containerd.image.name"]; n != "" {
		return n
	}
	n := d.Annotations[ocispec.AnnotationRefName]
	if n == "" {
		return ""
	}
	if ref, err := reference.ParseNormalizedNamed(n); err == nil {
		if _, tagged := ref.(reference.Tagged); tagged || reference.Domain(ref) != "docker.io" || reference.Path(ref) != "library/"+n {
			return n
		}
	}
	return ""
}
