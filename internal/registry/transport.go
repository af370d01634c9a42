package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	registrytypes "github.com/moby/moby/api/types/registry"
)

// Timeouts bound how long an unreachable or stalled registry can hold a
// request; a blob download that stalls is retried a bounded number of
// times (fetch.go), so a dead registry fails in well under a minute.
const (
	dialTimeout   = 10 * time.Second
	headerTimeout = 30 * time.Second
)

// tlsConfig is Docker's certs.d: CERTS/HOST[:PORT]/*.crt are extra CAs,
// *.cert with the matching *.key a client certificate. Insecure hosts
// skip verification.
func (s *Service) tlsConfig(host string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.isInsecure(host) {
		cfg.InsecureSkipVerify = true
	}
	dir := filepath.Join(s.cfg.CertsDir, strings.ReplaceAll(host, "/", "_"))
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return nil, fmt.Errorf("certificates for %s: %w", host, err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch filepath.Ext(e.Name()) {
		case ".crt":
			pem, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("CA for %s: %w", host, err)
			}
			if cfg.RootCAs == nil {
				if cfg.RootCAs, err = x509.SystemCertPool(); err != nil {
					cfg.RootCAs = x509.NewCertPool()
				}
			}
			if !cfg.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("CA for %s: %s holds no PEM certificate", host, p)
			}
		case ".cert":
			key := strings.TrimSuffix(p, ".cert") + ".key"
			pair, err := tls.LoadX509KeyPair(p, key)
			if err != nil {
				return nil, fmt.Errorf("client certificate for %s (%s with %s): %w", host, p, key, err)
			}
			cfg.Certificates = append(cfg.Certificates, pair)
		}
	}
	return cfg, nil
}

// baseTransport is the HTTP transport to one registry host.
func (s *Service) baseTransport(host string) (http.RoundTripper, error) {
	tc, err := s.tlsConfig(host)
	if err != nil {
		return nil, err
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = tc
	t.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = dialTimeout
	t.ResponseHeaderTimeout = headerTimeout
	t.MaxIdleConnsPerHost = 16
	return t, nil
}

// endpoint is an authenticated connection to one repository of a registry.
type endpoint struct {
	host   string
	reg    name.Registry
	client *http.Client
}

// connect pings host, negotiates authentication (basic, or a bearer token
// for scopes) and returns a client whose requests carry it. The scheme is
// https, or http when the host is insecure (or loopback) and answers so.
func (s *Service) connect(ctx context.Context, host string, auth registrytypes.AuthConfig, scopes []string) (*endpoint, error) {
	var opts []name.Option
	if s.isInsecure(host) {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(host, opts...)
	if err != nil {
		return nil, fmt.Errorf("registry %q: %w", host, invalid(err))
	}
	base, err := s.baseTransport(host)
	if err != nil {
		return nil, err
	}
	base = &httpGuard{inner: base, host: host, allow: s.isInsecure(host) || isLoopback(host)}
	base = transport.NewUserAgent(base, s.cfg.UserAgent)
	rt, err := transport.NewWithContext(ctx, reg, authenticator(auth), base, scopes)
	if err != nil {
		return nil, classify(host, err)
	}
	return &endpoint{host: host, reg: reg, client: &http.Client{Transport: rt}}, nil
}

// authenticator turns the credentials a client sent into go-containerregistry's.
func authenticator(a registrytypes.AuthConfig) authn.Authenticator {
	if a.Username == "" && a.Password == "" && a.Auth == "" && a.IdentityToken == "" && a.RegistryToken == "" {
		return authn.Anonymous
	}
	return authn.FromConfig(authn.AuthConfig{
		Username: a.Username, Password: a.Password, Auth: a.Auth,
		IdentityToken: a.IdentityToken, RegistryToken: a.RegistryToken,
	})
}

// url is an API URL on the endpoint; the transport sets the scheme that
// the ping found.
func (e *endpoint) url(format string, args ...any) string {
	return "https://" + e.reg.RegistryStr() + fmt.Sprintf(format, args...)
}

func pullScope(path string) string { return "repository:" + path + ":pull" }
func pushScope(path string) string { return "repository:" + path + ":pull,push" }

// httpGuard refuses plain HTTP to a registry that is neither marked
// insecure nor on loopback. go-containerregistry also falls back to HTTP
// for private (RFC 1918) addresses, which Docker does not: a network
// attacker could then downgrade the connection.
type httpGuard struct {
	inner http.RoundTripper
	host  string
	allow bool
}

func (g *httpGuard) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme == "http" && r.URL.Host == g.host && !g.allow {
		return nil, fmt.Errorf("registry %s is not in insecure-registries: refusing plain HTTP: %w", g.host, errdefs.ErrUnavailable)
	}
	return g.inner.RoundTrip(r)
}

// isLoopback reports whether host (HOST[:PORT]) is localhost or a loopback IP.
func isLoopback(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}
