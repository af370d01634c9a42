package build

import (
	"io"

	registrytypes "github.com/moby/moby/api/types/registry"
)

// Options are the choices of `berth build` / POST /build.
type Options struct {
	// Dockerfile is its path in the context ("Dockerfile" when empty).
	Dockerfile string
	Tags       []string
	// BuildArgs are --build-arg values; a nil value takes the variable
	// from nowhere (Docker takes it from the client's environment, which
	// the client has already done).
	BuildArgs map[string]*string
	Target    string
	NoCache   bool
	Pull      bool
	Labels    map[string]string
	// Network is the network of RUN steps: "default" (also "" and
	// "bridge": the default bridge network when the builder has a
	// network service, else loopback only), "none" or "host".
	Network   string
	Platform  string
	CacheFrom []string
	// Quiet suppresses the step output; only the image ID is printed.
	Quiet bool
	// RegistryAuth are credentials by registry, for pulling base images
	// (the X-Registry-Config of POST /build).
	RegistryAuth map[string]registrytypes.AuthConfig
}

// Reporter receives a build's progress: text (step lines and the output
// of RUN steps, as Docker's classic builder prints them) and, once the
// image is made, its ID.
type Reporter interface {
	io.Writer
	ImageID(id string)
}
