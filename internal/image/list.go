package image

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/labelfilter"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	imagetypes "github.com/moby/moby/api/types/image"
)

// ListOptions select images as `docker images` does.
type ListOptions struct {
	// All would show intermediate images; berth records none, so it only
	// exists for the API's sake.
	All bool
	// Filters: dangling=true|false, reference=<glob>, label=<key>[=<value>],
	// before=<image>, since=<image>.
	Filters map[string][]string
}

// List returns image summaries, newest first, as GET /images/json.
func (s *Service) List(ctx context.Context, opts ListOptions) ([]imagetypes.Summary, error) {
	recs, err := s.records(ctx)
	if err != nil {
		return nil, err
	}
	f, err := newListFilter(recs, opts.Filters)
	if err != nil {
		return nil, err
	}
	out := []imagetypes.Summary{}
	for _, r := range recs {
		_, cfg, err := s.config(ctx, r)
		if err != nil {
			return nil, err
		}
		labels := cfg.Config.Labels
		tags, ok := f.match(r, labels)
		if !ok {
			continue
		}
		if labels == nil {
			labels = map[string]string{}
		}
		out = append(out, imagetypes.Summary{
			ID: r.ID.String(), RepoTags: tags, RepoDigests: familiarAll(r.RepoDigests),
			Created: r.Created.Unix(), Size: r.size(), SharedSize: -1, Containers: -1,
			Labels: labels,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created > out[j].Created })
	return out, nil
}

// listFilter is a parsed set of `docker images --filter` options.
type listFilter struct {
	dangling   *bool
	references []string
	labels     []string
	before     *time.Time
	since      *time.Time
}

func newListFilter(recs []record, filters map[string][]string) (*listFilter, error) {
	f := &listFilter{}
	for key, values := range filters {
		switch key {
		case "dangling":
			for _, v := range values {
				b, err := parseBool(v)
				if err != nil {
					return nil, err
				}
				f.dangling = &b
			}
		case "reference":
			f.references = values
		case "label":
			f.labels = values
		case "before", "since":
			for _, v := range values {
				r, _, err := resolveIn(recs, v)
				if err != nil {
					return nil, fmt.Errorf("filter %s=%s: %w", key, v, err)
				}
				t := r.Created
				if key == "before" {
					f.before = &t
				} else {
					f.since = &t
				}
			}
		default:
			return nil, fmt.Errorf("invalid filter %q: %w", key, errdefs.ErrInvalidArgument)
		}
	}
	return f, nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("invalid filter 'dangling=%s': %w", v, errdefs.ErrInvalidArgument)
}

// match reports whether r passes the filter, and the tags to show: with a
// reference filter, only the tags that match it (as Docker does).
func (f *listFilter) match(r record, labels map[string]string) ([]string, bool) {
	tags := familiarAll(r.RepoTags)
	if f.dangling != nil && *f.dangling != (len(r.RepoTags) == 0) {
		return nil, false
	}
	if f.before != nil && !r.Created.Before(*f.before) {
		return nil, false
	}
	if f.since != nil && !r.Created.After(*f.since) {
		return nil, false
	}
	if !labelfilter.Match(f.labels, labels) {
		return nil, false
	}
	if len(f.references) > 0 {
		var kept []string
		for _, t := range r.RepoTags {
			if matchReference(f.references, t) {
				kept = append(kept, familiar(t))
			}
		}
		if len(kept) == 0 {
			return nil, false
		}
		tags = kept
	}
	return tags, true
}

// matchReference matches a stored tag against reference filter globs, both
// in the familiar form and by repository name ("busybox", "busy*:1.*").
func matchReference(patterns []string, full string) bool {
	ref, err := reference.ParseNormalizedNamed(full)
	if err != nil {
		return false
	}
	for _, p := range patterns {
		if ok, _ := reference.FamiliarMatch(p, ref); ok {
			return true
		}
		if ok, _ := reference.FamiliarMatch(p, reference.TrimNamed(ref)); ok {
			return true
		}
	}
	return false
}
