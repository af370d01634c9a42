package image

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/berthproject/berth/internal/store"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
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
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Update(ctx, func(tx *store.Tx) error {
		rs, err := loadRecordSet(tx)
		if err != nil {
			return err
		}
		rec, _, err := resolveIn(rs.list(), source)
		if err != nil {
			return err
		}
		rs.tag(rec.ID, tag.String(), time.Now().UTC())
		return rs.save()
	})
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
	s.mu.Lock()
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		resp = nil
		rs, err := loadRecordSet(tx)
		if err != nil {
			return err
		}
		rec, ref, err := resolveIn(rs.list(), name)
		if err != nil {
			return err
		}
		r := rs.recs[rec.ID]
		if ref != nil {
			resp = append(resp, untag(r, ref)...)
			rs.changed[r.ID] = true
			if len(r.RepoTags) > 0 || len(r.RepoDigests) > 0 {
				return rs.save()
			}
			resp = append(resp, imagetypes.DeleteResponse{Deleted: r.ID.String()})
			rs.remove(r.ID)
			return rs.save()
		} else if !force && spansRepositories(r) {
			return errdefs.ErrConflict.WithMessage(fmt.Sprintf(
				"conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories", shortID(r.ID)))
		}
		for _, t := range r.RepoTags {
			resp = append(resp, imagetypes.DeleteResponse{Untagged: familiar(t)})
		}
		for _, d := range r.RepoDigests {
			resp = append(resp, imagetypes.DeleteResponse{Untagged: familiar(d)})
		}
		resp = append(resp, imagetypes.DeleteResponse{Deleted: r.ID.String()})
		rs.remove(r.ID)
		return rs.save()
	})
	s.mu.Unlock()
	if err != nil {
		return nil, err
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

// Prune deletes dangling images (no tag), or with all every image (no
// container uses images yet). Filters: until=<timestamp|duration>,
// label=<key>[=<value>], label!=<key>[=<value>].
func (s *Service) Prune(ctx context.Context, all bool, filters map[string][]string) (imagetypes.PruneReport, error) {
	report := imagetypes.PruneReport{ImagesDeleted: []imagetypes.DeleteResponse{}}
	match, err := pruneFilter(filters)
	if err != nil {
		return report, err
	}
	recs, err := s.records(ctx)
	if err != nil {
		return report, err
	}
	for _, r := range recs {
		if !all && len(r.RepoTags) > 0 {
			continue
		}
		_, cfg, err := s.config(ctx, r)
		if err != nil {
			return report, err
		}
		if !match(r, cfg.Config.Labels) {
			continue
		}
		resp, err := s.Remove(ctx, r.ID.String(), true, true)
		if errdefs.IsNotFound(err) {
			continue // removed meanwhile
		}
		if err != nil {
			return report, err
		}
		report.ImagesDeleted = append(report.ImagesDeleted, resp...)
	}
	freed, err := s.collectBlobs(ctx)
	report.SpaceReclaimed = freed
	return report, err
}

func pruneFilter(filters map[string][]string) (func(record, map[string]string) bool, error) {
	var until *time.Time
	var labels, notLabels []string
	for key, values := range filters {
		switch key {
		case "until":
			for _, v := range values {
				t, err := parseUntil(v)
				if err != nil {
					return nil, err
				}
				until = &t
			}
		case "label":
			labels = values
		case "label!":
			notLabels = values
		case "dangling":
			// Implied by the all flag; Docker's CLI sends dangling=true.
		default:
			return nil, fmt.Errorf("invalid filter %q: %w", key, errdefs.ErrInvalidArgument)
		}
	}
	return func(r record, l map[string]string) bool {
		if until != nil && !r.Created.Before(*until) {
			return false
		}
		if !matchLabels(labels, l) {
			return false
		}
		for _, nl := range notLabels {
			if matchLabels([]string{nl}, l) {
				return false
			}
		}
		return true
	}, nil
}

// parseUntil reads a timestamp (RFC 3339, date, or Unix seconds) or a Go
// duration meaning "that long ago".
func parseUntil(v string) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return time.Now().Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	var secs int64
	if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && fmt.Sprint(secs) == v {
		return time.Unix(secs, 0), nil
	}
	return time.Time{}, fmt.Errorf("invalid filter 'until=%s': %w", v, errdefs.ErrInvalidArgument)
}
