// Package registry pulls images from and pushes them to registries that
// speak the OCI distribution API, and checks logins. It resolves names as
// Docker does (busybox → docker.io/library/busybox:latest, served by
// registry-1.docker.io), authenticates with the credentials the client
// sends (basic, or the distribution spec's bearer-token flow, through
// go-containerregistry's transport), selects the platform from image
// indexes, and stores what it pulls in the image service, every blob
// verified against its digest. Progress is reported as Docker's messages.
package registry

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
)

// DefaultCertsDir is where per-registry CAs and client certificates live,
// one directory per HOST[:PORT], as Docker's /etc/docker/certs.d.
const DefaultCertsDir = "/etc/berth/certs.d"

// Config is the registry part of the daemon's configuration.
type Config struct {
	// Insecure lists registries (HOST[:PORT] or a CIDR) reached over plain
	// HTTP or with unverified TLS, as Docker's insecure-registries.
	Insecure []string
	// Mirrors are URLs tried, in order, before Docker Hub for its images.
	Mirrors []string
	// CertsDir replaces DefaultCertsDir.
	CertsDir string
	// StateDir holds links to the layers of pulls that have not finished,
	// so that a pull interrupted by a crash resumes with them.
	StateDir  string
	UserAgent string
}

// Service pulls, pushes and checks logins. Safe for concurrent use.
type Service struct {
	cfg       Config
	images    *image.Service
	insecure  map[string]bool
	insecNets []*net.IPNet
	mirrors   []*url.URL

	// pulls serialises pulls of the same reference, so that two clients
	// pulling one image share the blobs rather than race for them.
	mu    sync.Mutex
	pulls map[string]*pullLock
}

// pullLock is one reference's lock and how many pulls hold or wait for it.
type pullLock struct {
	sync.Mutex
	users int
}

// New returns the registry service storing into images.
func New(cfg Config, images *image.Service) (*Service, error) {
	if cfg.CertsDir == "" {
		cfg.CertsDir = DefaultCertsDir
	}
	s := &Service{cfg: cfg, images: images, insecure: map[string]bool{}, pulls: map[string]*pullLock{}}
	for _, r := range cfg.Insecure {
		if _, n, err := net.ParseCIDR(r); err == nil {
			s.insecNets = append(s.insecNets, n)
			continue
		}
		r = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(r, "http://"), "https://"), "/")
		if r == "" || strings.ContainsAny(r, "/ ") {
			return nil, fmt.Errorf("insecure-registries: %q is neither HOST[:PORT] nor a CIDR: %w", r, errdefs.ErrInvalidArgument)
		}
		s.insecure[r] = true
	}
	for _, m := range cfg.Mirrors {
		u, err := url.Parse(m)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("registry-mirrors: %q is not an http(s) URL: %w", m, errdefs.ErrInvalidArgument)
		}
		if u.Scheme == "http" {
			s.insecure[u.Host] = true
		}
		s.mirrors = append(s.mirrors, u)
	}
	if cfg.StateDir != "" {
		if err := os.MkdirAll(filepath.Join(cfg.StateDir, "layers"), 0o700); err != nil {
			return nil, fmt.Errorf("registry state: %w", err)
		}
		s.pruneFinished()
	}
	return s, nil
}

// isInsecure reports whether host (HOST[:PORT]) is marked insecure.
func (s *Service) isInsecure(host string) bool {
	if s.insecure[host] {
		return true
	}
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	if s.insecure[h] {
		return true
	}
	if len(s.insecNets) == 0 {
		return false
	}
	ips, err := net.LookupIP(h)
	if err != nil {
		return false
	}
	for _, ip := range ips {
		for _, n := range s.insecNets {
			if n.Contains(ip) {
				return true
			}
		}
	}
	return false
}

// lockPull serialises pulls of one reference.
func (s *Service) lockPull(ref string) func() {
	s.mu.Lock()
	l, ok := s.pulls[ref]
	if !ok {
		l = &pullLock{}
		s.pulls[ref] = l
	}
	l.users++
	s.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		s.mu.Lock()
		if l.users--; l.users == 0 {
			delete(s.pulls, ref)
		}
		s.mu.Unlock()
	}
}
