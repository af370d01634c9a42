package api

import "context"

// ImageService is the part of the image service the API consumes.
type ImageService interface {
	Count(ctx context.Context) (int, error)
}

type imageRoute struct {
	method, suffix string
	h              handlerFunc
}

func (s *Server) registerImageRoutes() {}
