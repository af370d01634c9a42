package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/berthproject/berth/internal/container"
	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/common"
	containertypes "github.com/moby/moby/api/types/container"
)

func (s *Server) containerChanges(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	changes, err := s.cfg.Containers.Changes(ctx, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, changes)
	return nil
}

func (s *Server) exportContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	if _, err := s.cfg.Containers.Get(ctx, name); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-tar")
	return s.cfg.Containers.Export(ctx, name, w)
}

// pathStatHeader carries a path's stat in Docker's header.
const pathStatHeader = "X-Docker-Container-Path-Stat"

func setPathStat(w http.ResponseWriter, st containertypes.PathStat) {
	b, _ := json.Marshal(st)
	w.Header().Set(pathStatHeader, base64.StdEncoding.EncodeToString(b))
}

func archivePath(r *http.Request) (string, error) {
	p := r.URL.Query().Get("path")
	if p == "" {
		return "", errdefs.ErrInvalidArgument.WithMessage("path is required")
	}
	return p, nil
}

func (s *Server) statArchive(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	st, err := s.cfg.Containers.ArchiveStat(ctx, name, p)
	if err != nil {
		return err
	}
	setPathStat(w, st)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) getArchive(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	return s.cfg.Containers.ArchiveGet(ctx, name, p, w, func(st containertypes.PathStat) {
		setPathStat(w, st)
		w.Header().Set("Content-Type", "application/x-tar")
	})
}

func (s *Server) putArchive(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Containers.ArchivePut(ctx, name, p, r.Body); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) commitContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	q := r.URL.Query()
	name := q.Get("container")
	if name == "" {
		return errdefs.ErrInvalidArgument.WithMessage("container is required")
	}
	o := container.CommitOptions{Comment: q.Get("comment"), Author: q.Get("author"), Changes: q["changes"], Pause: true}
	if q.Get("pause") != "" {
		p, err := queryBool(r, "pause")
		if err != nil {
			return err
		}
		o.Pause = p
	}
	if repo := q.Get("repo"); repo != "" {
		o.Repo = repo
		if tag := q.Get("tag"); tag != "" {
			o.Repo += ":" + tag
		}
	}
	id, err := s.cfg.Containers.Commit(ctx, name, o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, common.IDResponse{ID: id})
	return nil
}
