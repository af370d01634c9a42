package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/container"
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
		if until, err = parseTimeParam(u); err != nil {
			return err
		}
	}
	match := func(c container.Container) bool {
		if !until.IsZero() && !c.Created.Before(until) {
			return false
		}
		for _, l := range filters["label"] {
			k, v, hasV := strings.Cut(l, "=")
			got, ok := c.Config.Labels[k]
			if !ok || (hasV && got != v) {
				return false
			}
		}
		for _, l := range filters["label!"] {
			k, v, hasV := strings.Cut(l, "=")
			got, ok := c.Config.Labels[k]
			if ok && (!hasV || got == v) {
				return false
			}
		}
		return true
	}
	report, err := s.cfg.Containers.Prune(ctx, match)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}

// parseTimeParam reads Docker's since/until: unix seconds (with optional
// fraction), an RFC 3339 time, or a duration before now ("10m").
func parseTimeParam(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return time.Now().Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	// "seconds[.nanoseconds]", as the docker CLI sends --since/--until: the
	// fraction is read as digits, since a float64 loses the nanoseconds.
	secPart, fracPart, _ := strings.Cut(v, ".")
	if sec, err := strconv.ParseInt(secPart, 10, 64); err == nil && len(fracPart) <= 9 {
		nsec := int64(0)
		if fracPart != "" {
			n, err := strconv.ParseUint(fracPart+strings.Repeat("0", 9-len(fracPart)), 10, 64)
			if err != nil {
				return time.Time{}, errdefs.ErrInvalidArgument.WithMessage("invalid time value " + strconv.Quote(v))
			}
			nsec = int64(n)
		}
		return time.Unix(sec, nsec), nil
	}
	return time.Time{}, errdefs.ErrInvalidArgument.WithMessage("invalid time value " + strconv.Quote(v))
}
