package image

import (
	"archive/tar"
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
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// SaveFormat is the archive format Save writes.
type SaveFormat string

const (
	// DockerArchive is what `docker save` writes since Docker 25: an OCI
	// layout (oci-layout, index.json, blobs/sha256/…) plus manifest.json
	// and repositories, readable by every docker-archive and OCI reader.
	DockerArchive SaveFormat = "docker-archive"
	// OCIArchive is a plain OCI image layout.
	OCIArchive SaveFormat = "oci-archive"
)

// saved is one image to write, with the tags to write for it.
type saved struct {
	rec  record
	tags []string // fully qualified
}

// Save writes the named images to w. A name with a tag (or a digest)
// saves that reference, a repository name alone all its tags, an ID the
// image without names. Blobs are written byte for byte, so manifests and
// digests survive a round trip.
func (s *Service) Save(ctx context.Context, names []string, format SaveFormat, w io.Writer) error {
	if format == "" {
		format = DockerArchive
	}
	if format != DockerArchive && format != OCIArchive {
		return fmt.Errorf("unknown save format %q (want docker-archive or oci-archive): %w", format, errdefs.ErrInvalidArgument)
	}
	if len(names) == 0 {
		return fmt.Errorf("save: no image named: %w", errdefs.ErrInvalidArgument)
	}
	images, err := s.selectForSave(ctx, names)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	aw := &archiveWriter{tw: tw, written: map[digest.Digest]bool{}, buf: make([]byte, copyBuffer)}
	if err := aw.dir("blobs/"); err != nil {
		return err
	}
	if err := aw.dir("blobs/sha256/"); err != nil {
		return err
	}
	for _, im := range images {
		for _, d := range append([]ocispec.Descriptor{im.rec.Manifest, im.rec.Config}, im.rec.Layers...) {
			if err := aw.blob(ctx, s, d.Digest); err != nil {
				return err
			}
		}
	}
	if err := aw.json("index.json", ociIndex(images)); err != nil {
		return err
	}
	if format == DockerArchive {
		if err := aw.json("manifest.json", dockerManifestOf(images)); err != nil {
			return err
		}
		if err := aw.json("repositories", repositoriesOf(images)); err != nil {
			return err
		}
	}
	if err := aw.json("oci-layout", ocispec.ImageLayout{Version: ocispec.ImageLayoutVersion}); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	for _, im := range images {
		s.emit(events.ActionSave, im.rec.ID.String(), im.rec.ID.String())
	}
	return nil
}

// selectForSave resolves names to images and the tags to save with them.
func (s *Service) selectForSave(ctx context.Context, names []string) ([]saved, error) {
	recs, err := s.records(ctx)
	if err != nil {
		return nil, err
	}
	var out []saved
	add := func(r record, tag string) {
		i := slices.IndexFunc(out, func(x saved) bool { return x.rec.ID == r.ID })
		if i < 0 {
			out = append(out, saved{rec: r})
			i = len(out) - 1
		}
		if tag != "" && !slices.Contains(out[i].tags, tag) {
			out[i].tags = append(out[i].tags, tag)
		}
	}
	for _, name := range names {
		if named, err := reference.ParseNormalizedNamed(name); err == nil && reference.IsNameOnly(named) {
			found := false
			for _, r := range recs {
				for _, t := range r.RepoTags {
					if sameRepo(t, named) {
						add(r, t)
						found = true
					}
				}
			}
			if found {
				continue
			}
		}
		r, ref, err := resolveIn(recs, name)
		if err != nil {
			return nil, err
		}
		tag := ""
		if t, ok := ref.(reference.NamedTagged); ok {
			tag = t.String()
		}
		add(r, tag)
	}
	return out, nil
}

// ociIndex lists one entry per image and tag, annotated as Docker does.
func ociIndex(images []saved) ocispec.Index {
	idx := ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{}}
	for _, im := range images {
		d := ocispec.Descriptor{MediaType: im.rec.Manifest.MediaType, Digest: im.rec.Manifest.Digest, Size: im.rec.Manifest.Size}
		if len(im.tags) == 0 {
			idx.Manifests = append(idx.Manifests, d)
		}
		for _, t := range im.tags {
			td := d
			td.Annotations = map[string]string{"io.containerd.image.name": t}
			if ref, err := reference.ParseNormalizedNamed(t); err == nil {
				if tagged, ok := ref.(reference.Tagged); ok {
					td.Annotations[ocispec.AnnotationRefName] = tagged.Tag()
				}
			}
			idx.Manifests = append(idx.Manifests, td)
		}
	}
	return idx
}

func blobPath(d digest.Digest) string { return "blobs/" + string(d.Algorithm()) + "/" + d.Encoded() }

func dockerManifestOf(images []saved) []dockerManifestEntry {
	var out []dockerManifestEntry
	for _, im := range images {
		e := dockerManifestEntry{Config: blobPath(im.rec.Config.Digest), RepoTags: familiarAll(im.tags)}
		for _, l := range im.rec.Layers {
			e.Layers = append(e.Layers, blobPath(l.Digest))
		}
		out = append(out, e)
	}
	return out
}

// repositoriesOf is the legacy repositories file: repo → tag → top layer.
func repositoriesOf(images []saved) map[string]map[string]string {
	repos := map[string]map[string]string{}
	for _, im := range images {
		if len(im.rec.Layers) == 0 {
			continue
		}
		top := im.rec.Layers[len(im.rec.Layers)-1].Digest.Encoded()
		for _, t := range im.tags {
			ref, err := reference.ParseNormalizedNamed(t)
			if err != nil {
				continue
			}
			tagged, ok := ref.(reference.Tagged)
			if !ok {
				continue
			}
			repo := reference.FamiliarName(ref)
			if repos[repo] == nil {
				repos[repo] = map[string]string{}
			}
			repos[repo][tagged.Tag()] = top
		}
	}
	return repos
}

// archiveWriter writes a reproducible tar: fixed times, each blob once.
type archiveWriter struct {
	tw      *tar.Writer
	written map[digest.Digest]bool
	buf     []byte
}

var archiveTime = time.Unix(0, 0).UTC()

func (a *archiveWriter) dir(name string) error {
	if err := a.tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: archiveTime}); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}

func (a *archiveWriter) json(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	if err := a.tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b)), ModTime: archiveTime}); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	if _, err := a.tw.Write(b); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}

// blob copies a blob from the content store into the archive.
func (a *archiveWriter) blob(ctx context.Context, s *Service, d digest.Digest) error {
	if a.written[d] {
		return nil
	}
	a.written[d] = true
	r, err := s.cs.ReaderAt(ctx, d)
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	defer r.Close()
	hdr := &tar.Header{Name: blobPath(d), Typeflag: tar.TypeReg, Mode: 0o444, Size: r.Size(), ModTime: archiveTime}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	if _, err := io.CopyBuffer(a.tw, io.NewSectionReader(r, 0, r.Size()), a.buf); err != nil {
		return fmt.Errorf("save blob %s: %w", d, err)
	}
	return nil
}
