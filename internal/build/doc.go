// Package build is berth's Dockerfile builder, shaped as Docker's classic
// ("legacy") builder: each instruction is a step, each step that changes
// the filesystem makes a layer, and each step's result is cached under a
// key made of its parent's key, the instruction (with the build args in
// scope) and, for COPY and ADD, a hash of the sources' content and
// metadata. A step whose key is in the cache is not run again; a fully
// cached rebuild runs no container.
//
// Parsing (directives, heredocs, instructions) and variable substitution
// are BuildKit's (frontend/dockerfile/{parser,instructions,shell}); the
// execution is berth's: RUN steps run in containers on a writable
// snapshot, each run by the berth-runc binary (`run --bundle`, not the
// container service, and not the runtime library: the daemon links none
// of the runtime's code), COPY, ADD and WORKDIR write into a
// mounted snapshot, and every layer is the snapshot's diff, stored in the
// content store through an image.BuildSession.
//
// The builder keeps its own snapshotter root (<root>/builder) and
// berth-runc state root: its containers are not the container service's, and
// nothing of a build outlives it except the image, its layers and the
// cache entries.
package build
