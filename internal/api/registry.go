package api

import (
	"context"

	"github.com/berthproject/berth/internal/registry"
	registrytypes "github.com/moby/moby/api/types/registry"
)

// RegistryService is what the registry routes need from the daemon's
// registry service (internal/registry.Service implements it). Credentials
// come from the client with each request (X-Registry-Auth, or the body of
// POST /auth); the daemon keeps none. Errors carry errdefs classes: bad
// credentials Unauthenticated, an unknown tag NotFound, an unreachable
// registry Unavailable, content that does not match its digest
// InvalidArgument. Pull and Push report progress through the func as they
// go, so a failure may come after progress was sent.
type RegistryService interface {
	Pull(ctx context.Context, name string, opts registry.PullOptions, progress registry.ProgressFunc) error
	Push(ctx context.Context, name string, opts registry.PushOptions, progress registry.ProgressFunc) error
	Login(ctx context.Context, auth registrytypes.AuthConfig) (registrytypes.AuthResponse, error)
	GetManifest(ctx context.Context, name string, auth registrytypes.AuthConfig) (registry.Manifest, error)
}

// registerRegistryRoutes adds the registry routes. A nil service registers none.
func (s *Server) registerRegistryRoutes() {
	if s.cfg.Registry == nil {
		return
	}
	s.exact["POST /auth"] = s.login
	s.named("/images/", namedRoute{"POST", "/push", s.pushImage})
	s.named("/distribution/",
		namedRoute{"GET", "/json", s.distributionInspect},
		// berth's extension: the manifest or index as the registry serves it.
		namedRoute{"GET", "/manifest", s.distributionManifest},
	)
}
