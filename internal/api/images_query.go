package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
)

func (s *Server) listImages(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	q := r.URL.Query()
	filters, err := parseFilters(q, "dangling", "reference", "label", "before", "since", "until")
	if err != nil {
		return err
	}
	list, err := s.cfg.Images.List(ctx, image.ListOptions{All: boolValue(q, "all"), Filters: filters})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(list))
	return nil
}

func (s *Server) inspectImage(ctx context.Context, w http.ResponseWriter, _ *http.Request, name string) error {
	resp, err := s.cfg.Images.Inspect(ctx, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) imageHistory(ctx context.Context, w http.ResponseWriter, _ *http.Request, name string) error {
	items, err := s.cfg.Images.History(ctx, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(items))
	return nil
}

func (s *Server) tagImage(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	q := r.URL.Query()
	repo, tag := q.Get("repo"), q.Get("tag")
	if repo == "" {
		return errdefs.ErrInvalidArgument.WithMessage("repository name (repo parameter) is required")
	}
	target := repo
	if tag != "" {
		target += ":" + tag
	}
	if err := s.cfg.Images.Tag(ctx, name, target); err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (s *Server) removeImage(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	q := r.URL.Query()
	items, err := s.cfg.Images.Remove(ctx, name, boolValue(q, "force"), boolValue(q, "noprune"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(items))
	return nil
}

func (s *Server) pruneImages(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	filters, err := parseFilters(r.URL.Query(), "dangling", "label", "label!", "until")
	if err != nil {
		return err
	}
	// `docker image prune -a` says so with dangling=false: every unused
	// image goes, not only the untagged ones.
	all := false
	if d, ok := filters["dangling"]; ok {
		for _, v := range d {
			switch strings.ToLower(v) {
			case "false", "0":
				all = true
			case "true", "1":
			default:
				return errdefs.ErrInvalidArgument.WithMessage("invalid filter 'dangling=" + v + "'")
			}
		}
		delete(filters, "dangling")
	}
	report, err := s.cfg.Images.Prune(ctx, all, filters)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}

// boolValue reads a Docker boolean query parameter: anything but empty,
// "0", "no", "false" or "none" is true.
func boolValue(q url.Values, key string) bool {
	v := strings.ToLower(strings.TrimSpace(q.Get(key)))
	return !slices.Contains([]string{"", "0", "no", "false", "none"}, v)
}

// nonNil makes an empty list encode as [] rather than null, as Docker's do.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
