package api

import (
	"context"
	"io"

	"github.com/berthproject/berth/internal/image"
	imagetypes "github.com/moby/moby/api/types/image"
)

// ImageService is what the API consumes from the image service
// (internal/image.Service implements it). Names are resolved as Docker
// does: full or short ID with or without "sha256:", name[:tag],
// name@digest. Errors carry errdefs classes: an unknown image is
// NotFound, a bad reference or an ambiguous short ID InvalidArgument, an
// image that cannot go (several tags, removed by ID, without force) Conflict.
type ImageService interface {
	List(ctx context.Context, opts image.ListOptions) ([]imagetypes.Summary, error)
	Inspect(ctx context.Context, name string) (imagetypes.InspectResponse, error)
	History(ctx context.Context, name string) ([]imagetypes.HistoryResponseItem, error)
	Tag(ctx context.Context, source, target string) error
	Remove(ctx context.Context, name string, force, noPrune bool) ([]imagetypes.DeleteResponse, error)
	Prune(ctx context.Context, all bool, filters map[string][]string) (imagetypes.PruneReport, error)
	// Import makes a one-layer image from a rootfs tarball (docker import).
	Import(ctx context.Context, r io.Reader, opts image.ImportOptions) (id string, err error)
	// Load reads a docker-archive or OCI-layout tar and returns what it
	// loaded: tagged names, or IDs of untagged images.
	Load(ctx context.Context, r io.Reader) ([]string, error)
	Save(ctx context.Context, names []string, format image.SaveFormat, w io.Writer) error
	Count(ctx context.Context) (int, error)
	GarbageCollect(ctx context.Context) error
	Get(ctx context.Context, name string) (*image.Image, error)
}

func (s *Server) registerImageRoutes() {
	s.exact["GET /images/json"] = s.listImages
	s.exact["POST /images/create"] = s.createImage
	s.exact["POST /images/load"] = s.loadImages
	s.exact["GET /images/get"] = s.saveImages
	s.exact["POST /images/prune"] = s.pruneImages
	// Image names hold slashes and colons, so the name is whatever lies
	// between /images/ and the action suffix.
	s.named("/images/",
		namedRoute{"GET", "/json", s.inspectImage},
		namedRoute{"GET", "/history", s.imageHistory},
		namedRoute{"GET", "/get", s.saveImage},
		namedRoute{"POST", "/tag", s.tagImage},
		namedRoute{"DELETE", "", s.removeImage},
	)
}
