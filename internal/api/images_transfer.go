package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
)

// jsonMessage is one line of Docker's progress stream (jsonmessage.JSONMessage).
type jsonMessage struct {
	Stream string `json:"stream,omitempty"`
	Status string `json:"status,omitempty"`
	ID     string `json:"id,omitempty"`
}

// writeMessages sends a JSON message stream. The service has finished by
// the time it is called, so every failure before it is a plain HTTP error.
func writeMessages(w http.ResponseWriter, msgs []jsonMessage) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	for _, m := range msgs {
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
	return nil
}

// createImage is POST /images/create: berth supports the import form
// (fromSrc=-, the tarball in the body); pulling arrives with the registry.
func (s *Server) createImage(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	q := r.URL.Query()
	if q.Get("fromImage") != "" {
		return s.pullImage(ctx, w, r)
	}
	src := q.Get("fromSrc")
	if src == "" {
		return errdefs.ErrInvalidArgument.WithMessage("fromSrc or fromImage is required")
	}
	if src != "-" {
		return errdefs.ErrInvalidArgument.WithMessage("importing from a URL is not supported: send the tarball as the request body (fromSrc=-)")
	}
	ref := q.Get("repo")
	if tag := q.Get("tag"); tag != "" && ref != "" {
		ref += ":" + tag
	}
	id, err := s.cfg.Images.Import(ctx, r.Body, image.ImportOptions{Ref: ref, Changes: q["changes"], Message: q.Get("message")})
	if err != nil {
		return err
	}
	return writeMessages(w, []jsonMessage{{Status: id}})
}

// loadImages is POST /images/load.
func (s *Server) loadImages(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	loaded, err := s.cfg.Images.Load(ctx, r.Body)
	if err != nil {
		return err
	}
	msgs := make([]jsonMessage, 0, len(loaded))
	for _, l := range loaded {
		if strings.HasPrefix(l, "sha256:") {
			msgs = append(msgs, jsonMessage{Stream: "Loaded image ID: " + l + "\n"})
		} else {
			msgs = append(msgs, jsonMessage{Stream: "Loaded image: " + l + "\n"})
		}
	}
	return writeMessages(w, msgs)
}

// saveImages is GET /images/get?names=a&names=b.
func (s *Server) saveImages(ctx context.Context, w http.ResponseWriter, r *http.Request, _ string) error {
	names := r.URL.Query()["names"]
	if len(names) == 0 {
		return errdefs.ErrInvalidArgument.WithMessage("no image names given (names parameter)")
	}
	return s.save(ctx, w, r, names)
}

// saveImage is GET /images/{name}/get.
func (s *Server) saveImage(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	return s.save(ctx, w, r, []string{name})
}

// save streams a tar; format=oci-archive is berth's extension. The
// Content-Type is set up front, but nothing is sent until the service
// writes, so an unknown name still gets a proper 404.
func (s *Server) save(ctx context.Context, w http.ResponseWriter, r *http.Request, names []string) error {
	format := image.SaveFormat(r.URL.Query().Get("format"))
	switch format {
	case "", "docker-archive", "oci-archive":
	default:
		return errdefs.ErrInvalidArgument.WithMessage("invalid format " + string(format) + ": use docker-archive or oci-archive")
	}
	w.Header().Set("Content-Type", "application/x-tar")
	return s.cfg.Images.Save(ctx, names, format, w)
}
