package image

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/events"
	imagetypes "github.com/moby/moby/api/types/image"
	"github.com/opencontainers/go-digest"
)

// Tag gives the image source the name target (default tag "latest"),
// moving the name off any image that had it.
func (s *Service) Tag(ctx context.Context, source, target string) error {
	tag, err := parseTag(target)
	if err != nil {
		return err
	}
	var id digest.Digest
	err = s.updateRecords(ctx, func(rs *recordSet) error {
		rec, _, err := resolveIn(rs.list(), source)
		if err != nil {
			return err
		}
		id = rec.ID
		rs.tag(rec.ID, tag.String(), time.Now().UTC())
		return nil
	})
	if err == nil {
		s.emit(events.ActionTag, id.String(), familiar(tag.String()))
	}
	return err
}

// list returns the records of the set.
func (rs *recordSet) list() []record {
	out := make([]record, 0, len(rs.recs))
	for _, r := range rs.recs {
		out = append(out, *r)
	}
	return out
}

// Remove deletes an image reference or an image, with Docker's rules:
// removing by name (tag or digest) untags it, and deletes the image when no
// name is left; removing by ID deletes the image with all its names, which
// needs force when those names span several repositories. Blobs no image
// needs any more are then garbage collected, unless noPrune.
func (s *Service) Remove(ctx context.Context, name string, force, noPrune bool) ([]imagetypes.DeleteResponse, error) {
	var resp []imagetypes.DeleteResponse
	var imageID string
	err := s.updateRecords(ctx, func(rs *recordSet) error {
		resp = nil
		rec, ref, err := resolveIn(rs.list(), name)
		if err != nil {
			return err
		}
		r := rs.recs[rec.ID]
		imageID = r.ID.String()
		user, used := firstUser(s.usersOf(r.ID))
		if ref != nil {
			after := *r
			after.RepoTags, after.RepoDigests = slices.Clone(r.RepoTags), slices.Clone(r.RepoDigests)
			untag(&after, ref)
			last := len(after.RepoTags) == 0 && len(after.RepoDigests) == 0
			if last && used && !force {
				// Untagging would leave a used image dangling: as Docker,
				// only on purpose.
				return errdefs.ErrConflict.WithMessage(fmt.Sprintf(
					"conflict: unable to remove repository reference %q (must force) - container %s is using its referenced image %s",
					name, shortContainer(user.ContainerID), shortID(r.ID)))
			}
			resp = append(resp, untag(r, ref)...)
			rs.changed[r.ID] = true
			if !last || (used && user.Running) {
				return nil // a running container keeps its image, untagged
			}
			resp = append(resp, imagetypes.DeleteResponse{Deleted: r.ID.String()})
			rs.remove(r.ID)
			return nil
		}
		if !force && spansRepositories(r) {
			return errdefs.ErrConflict.WithMessage(fmt.Sprintf(
				"conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories", shortID(r.ID)))
		}
		if used && (user.Running || !force) {
			return deleteConflict(r.ID, user)
		}
		for _, t := range r.RepoTags {
			resp = append(resp, imagetypes.DeleteResponse{Untagged: familiar(t)})
		}
		for _, d := range r.RepoDigests {
			resp = append(resp, imagetypes.DeleteResponse{Untagged: familiar(d)})
		}
		resp = append(resp, imagetypes.DeleteResponse{Deleted: r.ID.String()})
		rs.remove(r.ID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range resp {
		if r.Untagged != "" {
			s.emit(events.ActionUnTag, imageID, imageID)
		} else {
			s.emit(events.ActionDelete, r.Deleted, r.Deleted)
		}
	}
	if !noPrune {
		if _, err := s.collectBlobs(ctx); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

// untag removes the reference ref from r and reports it. As Docker does,
// removing a repository's last tag also removes its digest references.
func untag(r *record, ref reference.Named) []imagetypes.DeleteResponse {
	full := ref.String()
	resp := []imagetypes.DeleteResponse{{Untagged: reference.FamiliarString(ref)}}
	if _, ok := ref.(reference.Canonical); ok {
		r.RepoDigests = slices.DeleteFunc(r.RepoDigests, func(d string) bool { return d == full })
		return resp
	}
	r.RepoTags = slices.DeleteFunc(r.RepoTags, func(t string) bool { return t == full })
	for _, t := range r.RepoTags {
		if sameRepo(t, ref) {
			return resp
		}
	}
	r.RepoDigests = slices.DeleteFunc(r.RepoDigests, func(d string) bool {
		if sameRepo(d, ref) {
			resp = append(resp, imagetypes.DeleteResponse{Untagged: familiar(d)})
			return true
		}
		return false
	})
	return resp
}

func sameRepo(stored string, ref reference.Named) bool {
	r, err := reference.ParseNormalizedNamed(stored)
	return err == nil && r.Name() == ref.Name()
}

// spansRepositories reports whether an image's names belong to more than
// one repository.
func spansRepositories(r *record) bool {
	repos := map[string]bool{}
	for _, n := range append(slices.Clone(r.RepoTags), r.RepoDigests...) {
		if ref, err := reference.ParseNormalizedNamed(n); err == nil {
			repos[ref.Name()] = true
		}
	}
	return len(repos) > 1
}

func shortID(d digest.Digest) string {
	e := d.Encoded()
	if len(e) > 12 {
		e = e[:12]
	}
	return e
}
