package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/berthproject/berth/internal/container"
	"github.com/berthproject/berth/internal/labelfilter"
	"github.com/berthproject/berth/internal/timestamp"
	"github.com/containerd/errdefs"
)

func (s *Server) listContainers(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	filters, err := parseFilters(r.URL.Query(), "status", "name", "label", "ancestor", "exited", "health", "id", "before", "since")
	if err != nil {
		return err
	}
	o := container.ListOptions{Filters: filters}
	if o.All, err = queryBool(r, "all"); err != nil {
		return err
	}
	if o.Size, err = queryBool(r, "size"); err != nil {
		return err
	}
	if l := r.URL.Query().Get("limit"); l != "" {
		if o.Limit, err = strconv.Atoi(l); err != nil {
			return errdefs.ErrInvalidArgument.WithMessage("invalid limit " + strconv.Quote(l))
		}
	}
	list, err := s.cfg.Containers.List(ctx, o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) inspectContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	size, err := queryBool(r, "size")
	if err != nil {
		return err
	}
	resp, err := s.cfg.Containers.Inspect(ctx, name, size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) pruneContainers(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	filters, err := parseFilters(r.URL.Query(), "label", "label!", "until")
	if err != nil {
		return err
	}
	var until time.Time
	for _, u := range filters["until"] {
		if until, err = timestamp.Parse(u); err != nil {
			return err
		}
	}
	match := func(c container.Container) bool {
		if !until.IsZero() && !c.Created.Before(until) {
			return false
		}
		return labelfilter.Match(filters["label"], c.Config.Labels) && labelfilter.MatchNone(filters["label!"], c.Config.Labels)
	}
	report, err := s.cfg.Containers.Prune(ctx, match)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}
