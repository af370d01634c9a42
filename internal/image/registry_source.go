package image

import (
	"context"
	"slices"
	"sort"

	"github.com/moby/moby/api/types/events"

	"github.com/berthproject/berth/internal/content"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Pushable is a stored image as a push needs it: every blob is in the
// content store (OpenBlob reads them).
type Pushable struct {
	ID digest.Digest
	// Tag is the fully qualified tag it is pushed under.
	Tag         string
	Manifest    ocispec.Descriptor
	Index       *ocispec.Descriptor
	Config      ocispec.Descriptor
	Layers      []ocispec.Descriptor
	RepoDigests []string // fully qualified
}

// Pushables resolves what "push NAME" sends: the image tagged NAME, or with
// all (push -a) every tagged image of NAME's repository, sorted by tag.
func (s *Service) Pushables(ctx context.Context, name string, all bool) ([]Pushable, error) {
	named, err := parseNamed(name)
	if err != nil {
		return nil, err
	}
	recs, err := s.records(ctx)
	if err != nil {
		return nil, err
	}
	if !all {
		rec, ref, err := resolveIn(recs, reference.TagNameOnly(named).String())
		if err != nil {
			return nil, err
		}
		return []Pushable{pushable(rec, ref.String())}, nil
	}
	var out []Pushable
	for _, r := range recs {
		for _, t := range r.RepoTags {
			if ref, err := reference.ParseNormalizedNamed(t); err == nil && ref.Name() == named.Name() {
				out = append(out, pushable(r, t))
			}
		}
	}
	if len(out) == 0 {
		return nil, noSuchImage(name)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tag < out[j].Tag })
	return out, nil
}

func pushable(r record, tag string) Pushable {
	return Pushable{ID: r.ID, Tag: tag, Manifest: r.Manifest, Index: r.Index, Config: r.Config, Layers: r.Layers, RepoDigests: slices.Clone(r.RepoDigests)}
}

// OpenBlob opens a stored blob for reading.
func (s *Service) OpenBlob(ctx context.Context, d digest.Digest) (content.ReaderAt, error) {
	return s.cs.ReaderAt(ctx, d)
}

// ReadBlob returns a small stored blob (manifest, index, config).
func (s *Service) ReadBlob(ctx context.Context, d digest.Digest) ([]byte, error) {
	return s.cs.ReadAll(ctx, d)
}

// RecordPush records that image id was just pushed as tag (fully
// qualified), which the registry now serves as repoDigest ("repo@sha256:…"):
// repoDigest joins its RepoDigests (once), and the push event names the tag
// pushed, as Docker's (actor ID and name "localhost:5000/app:1.0").
func (s *Service) RecordPush(ctx context.Context, id digest.Digest, tag, repoDigest string) error {
	if err := s.addRepoDigest(ctx, id, repoDigest); err != nil {
		return err
	}
	s.emit(events.ActionPush, familiar(tag), familiar(tag))
	return nil
}

// addRepoDigest adds repoDigest to an image's RepoDigests, once.
func (s *Service) addRepoDigest(ctx context.Context, id digest.Digest, repoDigest string) error {
	return s.updateRecords(ctx, func(rs *recordSet) error {
		r, ok := rs.recs[id]
		if !ok {
			return noSuchImage(id.String())
		}
		if !slices.Contains(r.RepoDigests, repoDigest) {
			r.RepoDigests = append(r.RepoDigests, repoDigest)
			rs.changed[id] = true
		}
		return nil
	})
}
