package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/berthproject/berth/internal/errtext"
	"github.com/containerd/errdefs"
)

// statusTable maps an errdefs class to the HTTP status Docker uses for it.
// The moby client applies the inverse mapping, so an error keeps its class
// across the socket. The first matching row wins.
var statusTable = []struct {
	class  error
	status int
}{
	{errdefs.ErrNotFound, http.StatusNotFound},
	{errdefs.ErrInvalidArgument, http.StatusBadRequest},
	{errdefs.ErrAlreadyExists, http.StatusConflict},
	{errdefs.ErrConflict, http.StatusConflict},
	{errdefs.ErrFailedPrecondition, http.StatusPreconditionFailed},
	{errdefs.ErrPermissionDenied, http.StatusForbidden},
	{errdefs.ErrUnauthenticated, http.StatusUnauthorized},
	{errdefs.ErrUnavailable, http.StatusServiceUnavailable},
	{errdefs.ErrNotImplemented, http.StatusNotImplemented},
	{context.Canceled, 499},
}

// StatusFor returns the HTTP status for err's errdefs class (500 when it has none).
func StatusFor(err error) int {
	for _, row := range statusTable {
		if errors.Is(err, row.class) {
			return row.status
		}
	}
	return http.StatusInternalServerError
}

// errorResponse is Docker's error body.
type errorResponse struct {
	Message string `json:"message"`
}

// writeError sends err as Docker's JSON error with the status of its class.
func writeError(ctx context.Context, w http.ResponseWriter, err error) {
	status := StatusFor(err)
	if status >= 500 {
		slog.ErrorContext(ctx, "request failed", "err", err)
	} else {
		slog.DebugContext(ctx, "request rejected", "status", status, "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorResponse{Message: errtext.Plain(err)})
}

// writeJSON sends v as a 200 JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
