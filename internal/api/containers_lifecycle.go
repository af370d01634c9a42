package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/berthproject/berth/internal/container"
	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
)

// decodeBody decodes a JSON request body into v; an empty body leaves v.
func decodeBody(r *http.Request, what string, v any) error {
	if r.Body == nil || r.ContentLength == 0 {
		return nil
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil && err.Error() != "EOF" {
		return fmt.Errorf("%s: bad request body: %v: %w", what, err, errdefs.ErrInvalidArgument)
	}
	return nil
}

func (s *Server) createContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	var req containertypes.CreateRequest
	if err := decodeBody(r, "container create", &req); err != nil {
		return err
	}
	if req.Config == nil {
		return fmt.Errorf("container create: config is missing: %w", errdefs.ErrInvalidArgument)
	}
	resp, err := s.cfg.Containers.Create(ctx, container.CreateRequest{Name: r.URL.Query().Get("name"), Config: req.Config, HostConfig: req.HostConfig, Networking: req.NetworkingConfig})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

func (s *Server) startContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	if err := s.cfg.Containers.Start(ctx, name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// stopOptions reads signal and t of stop and restart.
func stopOptions(r *http.Request) (container.StopOptions, error) {
	q := r.URL.Query()
	o := container.StopOptions{Signal: q.Get("signal")}
	if t := q.Get("t"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			return o, fmt.Errorf("invalid value for t: %q: %w", t, errdefs.ErrInvalidArgument)
		}
		o.Timeout = &n
	}
	return o, nil
}

func (s *Server) stopContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	o, err := stopOptions(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Containers.Stop(ctx, name, o); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) restartContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	o, err := stopOptions(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Containers.Restart(ctx, name, o); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) killContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	if err := s.cfg.Containers.Kill(ctx, name, r.URL.Query().Get("signal")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) pauseContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	if err := s.cfg.Containers.Pause(ctx, name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) unpauseContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	if err := s.cfg.Containers.Unpause(ctx, name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) renameContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	if err := s.cfg.Containers.Rename(ctx, name, r.URL.Query().Get("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// waitContainer answers at once with the status line, as Docker does, so
// that a client can wait before it starts the container; the body follows
// when the condition is met.
func (s *Server) waitContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	if _, err := s.cfg.Containers.Get(ctx, name); err != nil {
		return err
	}
	cond := containertypes.WaitCondition(r.URL.Query().Get("condition"))
	switch cond {
	case "", containertypes.WaitConditionNotRunning, containertypes.WaitConditionNextExit, containertypes.WaitConditionRemoved:
	default:
		return fmt.Errorf("invalid condition: %q: %w", cond, errdefs.ErrInvalidArgument)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	resp, err := s.cfg.Containers.Wait(ctx, name, cond)
	if err != nil {
		resp = containertypes.WaitResponse{StatusCode: -1, Error: &containertypes.WaitExitError{Message: err.Error()}}
	}
	return json.NewEncoder(w).Encode(resp)
}

func (s *Server) removeContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	force, err := queryBool(r, "force")
	if err != nil {
		return err
	}
	vols, err := queryBool(r, "v")
	if err != nil {
		return err
	}
	if link, _ := queryBool(r, "link"); link {
		return fmt.Errorf("links are not supported: %w", errdefs.ErrInvalidArgument)
	}
	if err := s.cfg.Containers.Remove(ctx, name, container.RemoveOptions{Force: force, Volumes: vols}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) resizeContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	wd, ht, err := sizeQuery(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Containers.Resize(ctx, name, wd, ht); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// sizeQuery reads w and h of the resize routes.
func sizeQuery(r *http.Request) (uint16, uint16, error) {
	q := r.URL.Query()
	wd, err1 := strconv.ParseUint(q.Get("w"), 10, 16)
	ht, err2 := strconv.ParseUint(q.Get("h"), 10, 16)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("resize: w and h must be numbers: %w", errdefs.ErrInvalidArgument)
	}
	return uint16(wd), uint16(ht), nil
}

func (s *Server) updateContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	var u containertypes.UpdateConfig
	if err := decodeBody(r, "container update", &u); err != nil {
		return err
	}
	resp, err := s.cfg.Containers.Update(ctx, name, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
