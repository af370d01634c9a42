package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/berthproject/berth/internal/build"
	"github.com/containerd/errdefs"
	registrytypes "github.com/moby/moby/api/types/registry"
)

// BuildService is what the build routes need from the daemon's builder.
type BuildService interface {
	// Build builds the context read from body; progress goes to rep.
	Build(ctx context.Context, body io.Reader, opts build.Options, rep build.Reporter) (string, error)
	Prune(ctx context.Context) (build.PruneReport, error)
	// CacheUsage lists the cache entries, for GET /system/df.
	CacheUsage(ctx context.Context) ([]build.CacheInfo, error)
}

// registerBuildRoutes adds the build routes. A nil service registers none.
func (s *Server) registerBuildRoutes() {
	if s.cfg.Builder == nil {
		return
	}
	s.exact["POST /build"] = s.postBuild
	s.exact["POST /build/prune"] = s.pruneBuildCache
}

// postBuild is POST /build: the classic builder's API. The response is a
// stream of Docker's JSON messages; an error before the first message is
// an ordinary HTTP error, after it an errorDetail message.
func (s *Server) postBuild(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	opts, err := buildOptions(r.URL.Query())
	if err != nil {
		return err
	}
	if opts.RegistryAuth, err = registryConfig(r.Header.Get("X-Registry-Config")); err != nil {
		return err
	}
	st := &buildStream{w: w}
	if _, err := s.cfg.Builder.Build(ctx, r.Body, opts, st); err != nil {
		if !st.started {
			return err
		}
		st.send(jsonMessage{}, &jsonError{Message: err.Error()})
	}
	return nil
}

// buildOptions decodes the query of POST /build.
func buildOptions(q url.Values) (build.Options, error) {
	o := build.Options{
		Dockerfile: q.Get("dockerfile"), Tags: q["t"], Target: q.Get("target"),
		NoCache: boolValue(q, "nocache"), Pull: boolValue(q, "pull"), Quiet: boolValue(q, "q"),
		Network: q.Get("networkmode"), Platform: q.Get("platform"),
	}
	if v := q.Get("version"); v == "2" {
		return o, errdefs.ErrNotImplemented.WithMessage("BuildKit builds (version=2) are not supported: use the classic builder (DOCKER_BUILDKIT=0)")
	}
	if q.Get("remote") != "" {
		return o, errdefs.ErrNotImplemented.WithMessage("remote build contexts are not supported: send the context as the request body")
	}
	for key, dst := range map[string]any{"buildargs": &o.BuildArgs, "labels": &o.Labels, "cachefrom": &o.CacheFrom} {
		if v := q.Get(key); v != "" {
			if err := json.Unmarshal([]byte(v), dst); err != nil {
				return o, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid %s: %v", key, err))
			}
		}
	}
	return o, nil
}

// pruneBuildCache is POST /build/prune.
func (s *Server) pruneBuildCache(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	rep, err := s.cfg.Builder.Prune(ctx)
	if err != nil {
		return err
	}
	deleted := rep.Deleted
	if deleted == nil {
		deleted = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"CachesDeleted": deleted, "SpaceReclaimed": rep.Reclaimed})
	return nil
}

// registryConfig decodes X-Registry-Config: base64url JSON of the
// client's credentials by registry (what the docker CLI sends).
func registryConfig(h string) (map[string]registrytypes.AuthConfig, error) {
	if h == "" {
		return nil, nil
	}
	raw, err := base64.URLEncoding.DecodeString(h)
	if err != nil {
		if raw, err = base64.StdEncoding.DecodeString(h); err != nil {
			return nil, errdefs.ErrInvalidArgument.WithMessage("invalid X-Registry-Config header: not base64")
		}
	}
	var auth map[string]registrytypes.AuthConfig
	if err := json.Unmarshal(raw, &auth); err != nil {
		return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid X-Registry-Config header: %v", err))
	}
	return auth, nil
}
