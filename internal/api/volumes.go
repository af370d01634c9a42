package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/containerd/errdefs"
	volumetypes "github.com/moby/moby/api/types/volume"
)

// VolumeService is what the volume routes need (internal/volume.Service
// implements it). An unknown volume is NotFound, a bad name or filter
// InvalidArgument, a volume in use Conflict.
type VolumeService interface {
	CreateVolume(ctx context.Context, req volumetypes.CreateRequest) (volumetypes.Volume, error)
	InspectVolume(ctx context.Context, name string) (volumetypes.Volume, error)
	ListVolumes(ctx context.Context, filters map[string][]string) (volumetypes.ListResponse, error)
	RemoveVolume(ctx context.Context, name string, force bool) error
	PruneVolumes(ctx context.Context, filters map[string][]string) (volumetypes.PruneReport, error)
}

// registerVolumeRoutes adds the volume routes. A nil service registers none.
func (s *Server) registerVolumeRoutes() {
	if s.cfg.Volumes == nil {
		return
	}
	s.exact["GET /volumes"] = s.listVolumes
	s.exact["POST /volumes/create"] = s.createVolume
	s.exact["POST /volumes/prune"] = s.pruneVolumes
	s.named("/volumes/",
		namedRoute{"GET", "", s.inspectVolume},
		namedRoute{"DELETE", "", s.removeVolume},
	)
}

func (s *Server) listVolumes(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	filters, err := parseFilters(r.URL.Query(), "name", "label", "dangling", "driver")
	if err != nil {
		return err
	}
	resp, err := s.cfg.Volumes.ListVolumes(ctx, filters)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) createVolume(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	var req volumetypes.CreateRequest
	if r.ContentLength != 0 {
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			return fmt.Errorf("volume create: bad request body: %v: %w", err, errdefs.ErrInvalidArgument)
		}
	}
	v, err := s.cfg.Volumes.CreateVolume(ctx, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) inspectVolume(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	v, err := s.cfg.Volumes.InspectVolume(ctx, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) removeVolume(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	force, err := queryBool(r, "force")
	if err != nil {
		return err
	}
	if err := s.cfg.Volumes.RemoveVolume(ctx, name, force); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) pruneVolumes(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	filters, err := parseFilters(r.URL.Query(), "label", "all")
	if err != nil {
		return err
	}
	report, err := s.cfg.Volumes.PruneVolumes(ctx, filters)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}

// queryBool reads a boolean query parameter ("1", "true", … as strconv);
// absent is false.
func queryBool(r *http.Request, key string) (bool, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("query parameter %s=%q is not a boolean: %w", key, v, errdefs.ErrInvalidArgument)
	}
	return b, nil
}
