package image

import (
	"context"
	"fmt"
	"time"

	"github.com/berthproject/berth/internal/labelfilter"
	"github.com/berthproject/berth/internal/timestamp"
	"github.com/containerd/errdefs"
	imagetypes "github.com/moby/moby/api/types/image"
)

// Prune deletes dangling images (no tag), or with all every image, except
// those containers use. Filters: until=<timestamp|duration>,
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
		if len(s.usersOf(r.ID)) > 0 {
			continue // as Docker: an image a container uses is never pruned
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
				t, err := timestamp.Filter("until", v)
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
		return labelfilter.Match(labels, l) && labelfilter.MatchNone(notLabels, l)
	}, nil
}
