// Package api serves the Docker Engine API over HTTP: it decodes a request,
// calls a service and encodes the Docker-shaped response. It holds no
// business logic; the services it calls are declared here, by the consumer.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/containerd/errdefs"
)

// Config is what the server needs from the daemon that builds it.
type Config struct {
	Images     ImageService
	Registry   RegistryService  // registry.go
	Containers ContainerService // containers.go
	Volumes    VolumeService    // volumes.go
	Networks   NetworkService   // networks.go
	Builder    BuildService     // build.go
	Host       HostInfo
	Version    string // berth's version, reported by /version and /info
	Logger     *slog.Logger
}

// Server is the Docker Engine API handler.
type Server struct {
	cfg         Config
	exact       map[string]handlerFunc  // "METHOD /path" → handler
	namedRoutes map[string][]namedRoute // "/prefix/" → routes of the objects named under it
}

// namedRoute is a route under PREFIX{name}{suffix}; an empty suffix takes
// the whole rest of the path as the name.
type namedRoute struct {
	method, suffix string
	h              handlerFunc
}

// named registers routes for the objects named under prefix ("/images/").
func (s *Server) named(prefix string, routes ...namedRoute) {
	s.namedRoutes[prefix] = append(s.namedRoutes[prefix], routes...)
}

// handlerFunc handles one request; name is the object the path names, if any.
// An error is written as Docker's JSON error unless the handler has already
// started its response.
type handlerFunc func(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error

// NewServer returns the API handler for cfg.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, namedRoutes: map[string][]namedRoute{}}
	s.exact = map[string]handlerFunc{
		"GET /_ping":   s.ping,
		"HEAD /_ping":  s.ping,
		"GET /version": s.version,
		"GET /info":    s.info,
	}
	s.registerImageRoutes()
	s.registerRegistryRoutes()
	s.registerContainerRoutes()
	s.registerVolumeRoutes()
	s.registerNetworkRoutes()
	s.registerBuildRoutes()
	return s
}

// ServeHTTP strips and checks the /vX.Y prefix, then dispatches.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	version, path := splitVersion(r.URL.Path)
	if version != "" {
		if err := checkVersion(version); err != nil {
			writeError(ctx, w, err)
			return
		}
		ctx = context.WithValue(ctx, versionKey{}, version)
	}
	s.cfg.Logger.DebugContext(ctx, "request", "method", r.Method, "path", r.URL.Path)
	h, name, ok := s.lookup(r.Method, path)
	if !ok {
		writeError(ctx, w, errdefs.ErrNotFound.WithMessage("page not found"))
		return
	}
	rw := &trackingWriter{ResponseWriter: w}
	if err := h(ctx, rw, r.WithContext(ctx), name); err != nil {
		if rw.started {
			// The status line is gone: all that is left is to cut the
			// stream, so the client sees a truncated body, not a bad one.
			s.cfg.Logger.ErrorContext(ctx, "request failed after the response started", "path", path, "err", err)
			panic(http.ErrAbortHandler)
		}
		writeError(ctx, w, err)
	}
}

// lookup finds the handler for method and path (without version prefix).
func (s *Server) lookup(method, path string) (handlerFunc, string, bool) {
	if h, ok := s.exact[method+" "+path]; ok {
		return h, "", true
	}
	for prefix, routes := range s.namedRoutes {
		rest, ok := strings.CutPrefix(path, prefix)
		if !ok || rest == "" {
			continue
		}
		for _, rt := range routes {
			if rt.method != method {
				continue
			}
			if rt.suffix == "" {
				return rt.h, rest, true
			}
			if name, ok := strings.CutSuffix(rest, rt.suffix); ok && name != "" {
				return rt.h, name, true
			}
		}
	}
	return nil, "", false
}

// trackingWriter records whether the response has started.
type trackingWriter struct {
	http.ResponseWriter
	started bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.started = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.started = true
	return t.ResponseWriter.Write(b)
}

// Flush lets streaming handlers push each message as it is written.
func (t *trackingWriter) Flush() {
	t.started = true
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
