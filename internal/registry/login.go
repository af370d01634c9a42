package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/containerd/errdefs"
	registrytypes "github.com/moby/moby/api/types/registry"
)

// ServerHost is the registry host a login's server address names: a URL
// or HOST[:PORT]; "" and Docker Hub's names are Docker Hub.
func ServerHost(server string) (string, error) {
	s := strings.TrimSpace(server)
	if s == "" || s == HubAuthKey {
		return hubHost, nil
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("invalid registry address %q: %w", server, errdefs.ErrInvalidArgument)
		}
		s = u.Host
	}
	s = strings.TrimSuffix(s, "/")
	if strings.ContainsAny(s, "/ @") {
		return "", fmt.Errorf("invalid registry address %q: %w", server, errdefs.ErrInvalidArgument)
	}
	return hostOf(s), nil
}

// Login checks credentials against a registry as Docker's POST /auth does:
// the registry's /v2/ endpoint must accept them (with a token from its
// token server when it asks for one). It stores nothing: the client keeps
// the credentials.
func (s *Service) Login(ctx context.Context, auth registrytypes.AuthConfig) (registrytypes.AuthResponse, error) {
	host, err := ServerHost(auth.ServerAddress)
	if err != nil {
		return registrytypes.AuthResponse{}, err
	}
	ep, err := s.connect(ctx, host, auth, nil)
	if err != nil {
		return registrytypes.AuthResponse{}, loginError(host, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep.url("/v2/"), nil)
	if err != nil {
		return registrytypes.AuthResponse{}, invalid(err)
	}
	resp, err := ep.client.Do(req)
	if err != nil {
		return registrytypes.AuthResponse{}, classify(host, err)
	}
	resp.Body.Close()
	if err := checkResponse(host, resp, http.StatusOK); err != nil {
		return registrytypes.AuthResponse{}, loginError(host, err)
	}
	return registrytypes.AuthResponse{Status: "Login Succeeded"}, nil
}

func loginError(host string, err error) error {
	if errdefs.IsUnauthorized(err) || errdefs.IsPermissionDenied(err) {
		return fmt.Errorf("login to %s failed: %w", host, err)
	}
	return err
}
