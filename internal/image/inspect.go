package image

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	imagetypes "github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/storage"
)

// Inspect returns an image in the shape of Docker's GET /images/{name}/json.
func (s *Service) Inspect(ctx context.Context, name string) (imagetypes.InspectResponse, error) {
	rec, _, err := s.resolve(ctx, name)
	if err != nil {
		return imagetypes.InspectResponse{}, err
	}
	raw, err := s.cs.ReadAll(ctx, rec.Config.Digest)
	if err != nil {
		return imagetypes.InspectResponse{}, fmt.Errorf("image %s: config: %w", rec.ID, err)
	}
	// Docker's own config type keeps Healthcheck, OnBuild and Shell.
	var cfg dockerspec.DockerOCIImage
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return imagetypes.InspectResponse{}, fmt.Errorf("image %s: config: %w", rec.ID, err)
	}
	resp := imagetypes.InspectResponse{
		ID:           rec.ID.String(),
		RepoTags:     familiarAll(rec.RepoTags),
		RepoDigests:  familiarAll(rec.RepoDigests),
		Author:       cfg.Author,
		Config:       &cfg.Config,
		Architecture: cfg.Architecture,
		Variant:      cfg.Variant,
		Os:           cfg.OS,
		OsVersion:    cfg.OSVersion,
		Size:         rec.size(),
		RootFS:       imagetypes.RootFS{Type: "layers"},
		GraphDriver:  &storage.DriverData{Name: "overlay2", Data: map[string]string{}},
		Metadata:     imagetypes.Metadata{LastTagTime: rec.LastTagTime},
	}
	desc := rec.Manifest
	if rec.Index != nil {
		desc = *rec.Index
	}
	resp.Descriptor = &desc
	if cfg.Created != nil {
		resp.Created = cfg.Created.UTC().Format(time.RFC3339Nano)
	}
	var top struct {
		Comment string `json:"comment"`
	}
	if json.Unmarshal(raw, &top) == nil {
		resp.Comment = top.Comment
	}
	for _, d := range rec.DiffIDs {
		resp.RootFS.Layers = append(resp.RootFS.Layers, d.String())
	}
	return resp, nil
}

// History returns the image's build history, newest first, as Docker's
// GET /images/{name}/history: each non-empty entry carries the size of its
// layer; only the newest carries the image ID and tags.
func (s *Service) History(ctx context.Context, name string) ([]imagetypes.HistoryResponseItem, error) {
	rec, _, err := s.resolve(ctx, name)
	if err != nil {
		return nil, err
	}
	_, cfg, err := s.config(ctx, rec)
	if err != nil {
		return nil, err
	}
	var items []imagetypes.HistoryResponseItem
	layer := 0
	for _, h := range cfg.History {
		it := imagetypes.HistoryResponseItem{ID: "<missing>", CreatedBy: h.CreatedBy, Comment: h.Comment}
		if h.Created != nil {
			it.Created = h.Created.Unix()
		}
		if !h.EmptyLayer && layer < len(rec.LayerSizes) {
			it.Size = rec.LayerSizes[layer]
			layer++
		}
		items = append(items, it)
	}
	// An image without history (some importers write none) still shows
	// one line per layer.
	for ; layer < len(rec.LayerSizes); layer++ {
		items = append(items, imagetypes.HistoryResponseItem{ID: "<missing>", Size: rec.LayerSizes[layer]})
	}
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	if len(items) > 0 {
		items[0].ID = rec.ID.String()
		if len(rec.RepoTags) > 0 {
			items[0].Tags = familiarAll(rec.RepoTags)
		}
	}
	return items, nil
}
