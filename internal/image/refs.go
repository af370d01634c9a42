package image

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

var hexPrefix = regexp.MustCompile(`^[a-f0-9]{1,64}$`)

// noSuchImage is Docker's wording for an unknown image: a name without a
// tag or digest is reported with the ":latest" it was looked up as.
func noSuchImage(name string) error {
	if !hexPrefix.MatchString(strings.TrimPrefix(name, "sha256:")) {
		if ref, err := reference.ParseNormalizedNamed(name); err == nil && reference.IsNameOnly(ref) {
			name += ":latest"
		}
	}
	return errdefs.ErrNotFound.WithMessage("No such image: " + name)
}

// parseNamed parses a user's image name ("busybox", "repo:tag",
// "repo@sha256:…") into its normalised form.
func parseNamed(name string) (reference.Named, error) {
	ref, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		why := strings.TrimPrefix(err.Error(), "invalid reference format")
		return nil, fmt.Errorf("invalid reference format %q%s: %w", name, why, errdefs.ErrInvalidArgument)
	}
	return ref, nil
}

// parseTag parses a name that must become a tag: a name without one gets
// "latest"; a digest is refused.
func parseTag(name string) (reference.NamedTagged, error) {
	ref, err := parseNamed(name)
	if err != nil {
		return nil, err
	}
	if _, ok := ref.(reference.Canonical); ok {
		return nil, fmt.Errorf("invalid tag %q: a tag cannot contain a digest: %w", name, errdefs.ErrInvalidArgument)
	}
	return reference.TagNameOnly(ref).(reference.NamedTagged), nil
}

// familiar turns a stored, fully qualified reference into Docker's short
// form ("docker.io/library/busybox:latest" → "busybox:latest").
func familiar(full string) string {
	ref, err := reference.ParseNormalizedNamed(full)
	if err != nil {
		return full
	}
	return reference.FamiliarString(ref)
}

func familiarAll(full []string) []string {
	out := make([]string, 0, len(full))
	for _, f := range full {
		out = append(out, familiar(f))
	}
	return out
}

// resolve finds the image a user's name refers to.
func (s *Service) resolve(ctx context.Context, name string) (record, reference.Named, error) {
	recs, err := s.records(ctx)
	if err != nil {
		return record{}, nil, err
	}
	return resolveIn(recs, name)
}

// resolveIn resolves name among recs as Docker does: a full ID (with or
// without "sha256:"), a name with tag (default "latest") or digest, then a
// unique ID prefix. ref is the reference that matched, nil for an ID.
func resolveIn(recs []record, name string) (rec record, ref reference.Named, err error) {
	if name == "" {
		return record{}, nil, fmt.Errorf("empty image name: %w", errdefs.ErrInvalidArgument)
	}
	hex := strings.TrimPrefix(name, "sha256:")
	if len(hex) == 64 && hexPrefix.MatchString(hex) {
		for _, r := range recs {
			if r.ID.Encoded() == hex {
				return r, nil, nil
			}
		}
		return record{}, nil, noSuchImage(name)
	}
	if strings.HasPrefix(name, "sha256:") {
		if !hexPrefix.MatchString(hex) {
			return record{}, nil, fmt.Errorf("invalid image ID %q: %w", name, errdefs.ErrInvalidArgument)
		}
		return byPrefix(recs, name, hex)
	}
	named, err := parseNamed(name)
	if err != nil {
		return record{}, nil, err
	}
	if c, ok := named.(reference.Canonical); ok {
		for _, r := range recs {
			if r.hasDigestRef(c) {
				return r, named, nil
			}
		}
		return record{}, nil, noSuchImage(name)
	}
	tagged := reference.TagNameOnly(named)
	for _, r := range recs {
		if slices.Contains(r.RepoTags, tagged.String()) {
			return r, tagged, nil
		}
	}
	if hexPrefix.MatchString(name) {
		return byPrefix(recs, name, name)
	}
	return record{}, nil, noSuchImage(name)
}

func byPrefix(recs []record, name, hex string) (record, reference.Named, error) {
	var found []record
	for _, r := range recs {
		if strings.HasPrefix(r.ID.Encoded(), hex) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return record{}, nil, noSuchImage(name)
	case 1:
		return found[0], nil, nil
	}
	return record{}, nil, fmt.Errorf("short ID %q is ambiguous: it matches %d images: %w", name, len(found), errdefs.ErrInvalidArgument)
}

// hasDigestRef reports whether c ("repo@sha256:…") names this image: one
// of its RepoDigests, or its manifest or index digest under one of its
// repositories.
func (r record) hasDigestRef(c reference.Canonical) bool {
	if slices.Contains(r.RepoDigests, c.String()) {
		return true
	}
	d := c.Digest()
	if d != r.Manifest.Digest && (r.Index == nil || d != r.Index.Digest) {
		return false
	}
	for _, t := range r.RepoTags {
		if ref, err := reference.ParseNormalizedNamed(t); err == nil && ref.Name() == c.Name() {
			return true
		}
	}
	return false
}

// repoDigest is the "repo@digest" reference of an image under a tag's
// repository.
func repoDigest(tag string, d digest.Digest) string {
	ref, err := reference.ParseNormalizedNamed(tag)
	if err != nil {
		return ""
	}
	c, err := reference.WithDigest(reference.TrimNamed(ref), d)
	if err != nil {
		return ""
	}
	return c.String()
}
