package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/berthproject/berth/internal/registry"
	"github.com/containerd/errdefs"
	registrytypes "github.com/moby/moby/api/types/registry"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// registryAuth decodes X-Registry-Auth (base64url JSON of an AuthConfig);
// no header means anonymous.
func registryAuth(r *http.Request) (registrytypes.AuthConfig, error) {
	var a registrytypes.AuthConfig
	h := strings.TrimSpace(r.Header.Get(registrytypes.AuthHeader))
	if h == "" || h == "null" {
		return a, nil
	}
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.URLEncoding, base64.RawURLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if raw, err = enc.DecodeString(h); err == nil {
			break
		}
	}
	if err != nil {
		return a, errdefs.ErrInvalidArgument.WithMessage("invalid X-Registry-Auth header: not base64")
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, errdefs.ErrInvalidArgument.WithMessage("invalid X-Registry-Auth header: " + err.Error())
	}
	return a, nil
}

// pullImage is POST /images/create?fromImage=NAME&tag=TAG|DIGEST: an empty
// tag on a name without one pulls every tag, as Docker's API does.
func (s *Server) pullImage(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Registry == nil {
		return errdefs.ErrNotImplemented.WithMessage("pulling images is not supported yet")
	}
	q := r.URL.Query()
	name, tag := q.Get("fromImage"), q.Get("tag")
	auth, err := registryAuth(r)
	if err != nil {
		return err
	}
	opts := registry.PullOptions{Auth: auth, Platform: q.Get("platform")}
	switch {
	case tag == "" && !strings.Contains(lastPart(name), ":") && !strings.Contains(name, "@"):
		opts.All = true
	case tag != "":
		if _, err := digest.Parse(tag); err == nil {
			name += "@" + tag
		} else {
			name += ":" + tag
		}
	}
	ps := newProgressStream(w)
	err = s.cfg.Registry.Pull(ctx, name, opts, ps.send)
	if errdefs.IsUnauthorized(err) {
		// The docker CLI answers a 401 from a pull by prompting for a
		// Docker Hub login, which hangs a non-interactive client; Docker
		// itself answers such pulls with a denial, not a 401.
		err = errdefs.ErrPermissionDenied.WithMessage(err.Error())
	}
	return ps.finish(err)
}

func lastPart(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// pushImage is POST /images/{name}/push?tag=TAG; no tag pushes every tag.
func (s *Server) pushImage(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	auth, err := registryAuth(r)
	if err != nil {
		return err
	}
	opts := registry.PushOptions{Auth: auth}
	if tag := r.URL.Query().Get("tag"); tag != "" {
		name += ":" + tag
	} else if !strings.Contains(lastPart(name), ":") {
		opts.All = true
	}
	ps := newProgressStream(w)
	return ps.finish(s.cfg.Registry.Push(ctx, name, opts, ps.send))
}

// login is POST /auth: the daemon checks the credentials with the
// registry; the client stores them.
func (s *Server) login(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	var a registrytypes.AuthConfig
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
		return errdefs.ErrInvalidArgument.WithMessage("invalid login request body: " + err.Error())
	}
	res, err := s.cfg.Registry.Login(ctx, a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// distributionInspect is GET /distribution/{name}/json.
func (s *Server) distributionInspect(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	m, err := s.manifest(ctx, r, name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, registrytypes.DistributionInspect{Descriptor: m.Descriptor, Platforms: nonNilPlatforms(m.Platforms)})
	return nil
}

func nonNilPlatforms(p []ocispec.Platform) []ocispec.Platform {
	if p == nil {
		return []ocispec.Platform{}
	}
	return p
}

// distributionManifest is berth's GET /distribution/{name}/manifest: the
// raw manifest or index, its media type as Content-Type and its digest in
// Docker-Content-Digest, as a registry serves it.
func (s *Server) distributionManifest(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	m, err := s.manifest(ctx, r, name)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", m.Descriptor.MediaType)
	w.Header().Set("Docker-Content-Digest", m.Descriptor.Digest.String())
	w.Header().Set("Content-Length", fmt.Sprint(len(m.Raw)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(m.Raw)
	return err
}

func (s *Server) manifest(ctx context.Context, r *http.Request, name string) (registry.Manifest, error) {
	auth, err := registryAuth(r)
	if err != nil {
		return registry.Manifest{}, err
	}
	return s.cfg.Registry.GetManifest(ctx, name, auth)
}
