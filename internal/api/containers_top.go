package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/berthproject/berth/internal/timestamp"
	"github.com/moby/moby/api/types/events"
)

func (s *Server) topContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	top, err := s.cfg.Containers.Top(ctx, name, r.URL.Query().Get("ps_args"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, top)
	return nil
}

// statsInterval is how often a stats stream samples, as Docker's.
const statsInterval = time.Second

// containerStats is GET /containers/{id}/stats: one sample (stream=false)
// or one a second; each carries the previous sample as precpu_stats, and
// a one-shot sample takes two, a short interval apart, unless one-shot.
func (s *Server) containerStats(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	stream := true
	if r.URL.Query().Get("stream") != "" {
		var err error
		if stream, err = queryBool(r, "stream"); err != nil {
			return err
		}
	}
	oneShot, _ := queryBool(r, "one-shot")
	prev, err := s.cfg.Containers.Stats(ctx, name)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	if !stream && oneShot {
		return enc.Encode(prev)
	}
	for {
		interval := statsInterval
		if !stream {
			interval = statsInterval / 10
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
		cur, err := s.cfg.Containers.Stats(ctx, name)
		if err != nil {
			return nil
		}
		cur.PreCPUStats, cur.PreRead = prev.CPUStats, prev.Read
		if err := enc.Encode(cur); err != nil || !stream {
			return nil
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		prev = cur
	}
}

// events is GET /events: past events since, then live ones until until
// (or until the client goes), as JSON lines.
func (s *Server) events(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	filters, err := parseFilters(r.URL.Query(), "type", "container", "event", "image", "label")
	if err != nil {
		return err
	}
	since, err := timestamp.Parse(r.URL.Query().Get("since"))
	if err != nil {
		return err
	}
	until, err := timestamp.Parse(r.URL.Query().Get("until"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	if f != nil {
		f.Flush()
	}
	enc := json.NewEncoder(w)
	// A client that goes away ends the stream; that is no error.
	_ = s.cfg.Containers.Events(ctx, since, until, filters, func(m events.Message) error {
		if err := enc.Encode(m); err != nil {
			return err
		}
		if f != nil {
			f.Flush()
		}
		return nil
	})
	return nil
}
