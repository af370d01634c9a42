package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/containerd/errdefs"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func invalid(err error) error { return fmt.Errorf("%v: %w", err, errdefs.ErrInvalidArgument) }

// classify gives a registry error its errdefs class and a message naming
// the registry: a client sees "authentication failed for registry X", not
// a bare status code.
func classify(host string, err error) error {
	if err == nil || errdefs.IsNotFound(err) || errdefs.IsUnauthorized(err) || errdefs.IsInvalidArgument(err) ||
		errdefs.IsUnavailable(err) || errdefs.IsPermissionDenied(err) || errdefs.IsNotImplemented(err) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var te *transport.Error
	if errors.As(err, &te) {
		switch te.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("authentication failed for registry %s: %v: %w", host, err, errdefs.ErrUnauthenticated)
		case http.StatusForbidden:
			return fmt.Errorf("registry %s denied access: %v: %w", host, err, errdefs.ErrPermissionDenied)
		case http.StatusNotFound:
			return fmt.Errorf("registry %s: %v: %w", host, err, errdefs.ErrNotFound)
		case http.StatusBadRequest:
			return fmt.Errorf("registry %s: %v: %w", host, err, errdefs.ErrInvalidArgument)
		}
		return fmt.Errorf("registry %s: %v: %w", host, err, errdefs.ErrUnavailable)
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &ne) || errors.As(err, &oe) {
		return fmt.Errorf("cannot reach registry %s: %v: %w", host, err, errdefs.ErrUnavailable)
	}
	return fmt.Errorf("registry %s: %w", host, err)
}

// checkResponse turns a registry's error response into a classified error.
func checkResponse(host string, resp *http.Response, codes ...int) error {
	return classify(host, transport.CheckError(resp, codes...))
}
