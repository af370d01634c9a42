// Package snapshot keeps the root filesystems of images and containers:
// each image layer unpacked once and shared, and a writable layer per
// container on top. Overlay is the implementation of choice; Copy is the
// fallback where overlayfs cannot be used. docs/storage.md tells the story.
package snapshot

import (
	"context"
	"io"
	"time"

	"github.com/opencontainers/go-digest"
)

// Snapshotter manages snapshots: directory trees stacked on one another.
//
// Vocabulary. A snapshot is identified by its key. There are two kinds:
//
//   - Committed snapshots are image layers. Their key is the chain ID of the
//     layers below and including it (the OCI identity of "these diffs,
//     applied in this order"), so equal stacks share one snapshot. They
//     are created only by Unpack, never change afterwards, and are the
//     parents of other snapshots.
//   - Active snapshots are writable layers, one per container (or build
//     step), under a key the caller picks. Prepare creates one on top of a
//     committed parent (or of nothing); it keeps its contents until Remove,
//     so a stopped container restarts with its changes.
//
// Lifecycle. Unpack the image's layers (returns the top chain ID) →
// Prepare(key, chainID) → Mounts(key) → Mount(mounts, target) to get a root
// filesystem → run → Unmount(target) → Diff(key) to turn the changes into a
// layer for commit/build → Remove(key) when the container goes. A committed
// snapshot can be removed once no other snapshot names it as parent.
//
// Everything a snapshotter knows is stored in its directories (one per
// snapshot, with an info file); a snapshotter opened on an existing root
// finds its snapshots again and removes half-made ones.
type Snapshotter interface {
	// Name is "overlayfs" or "copy", as reported by `berth info`.
	Name() string
	// Unpack makes sure every layer of an image is a committed snapshot and
	// returns the chain ID of the top one. Layers are read through opener,
	// verified against their DiffID while unpacking, and become visible
	// only once complete. Layers already present are not read.
	Unpack(ctx context.Context, layers []Layer, opener BlobOpener) (digest.Digest, error)
	// Prepare creates the active snapshot key on top of committed parent
	// ("" for an empty root) and returns its mounts. ErrAlreadyExists if the
	// key is taken, ErrNotFound if the parent is missing.
	Prepare(ctx context.Context, key, parent string) ([]Mount, error)
	// Mounts returns what to mount to see snapshot key: read-write for an
	// active snapshot, read-only for a committed one.
	Mounts(ctx context.Context, key string) ([]Mount, error)
	// Stat describes one snapshot.
	Stat(ctx context.Context, key string) (Info, error)
	// Walk calls fn for every snapshot, in no particular order.
	Walk(ctx context.Context, fn func(Info) error) error
	// Usage is the disk use of the snapshot's own layer (not its parents).
	Usage(ctx context.Context, key string) (Usage, error)
	// Diff writes the changes of active snapshot key, relative to its
	// parent, as an uncompressed layer tar. The snapshot should not be
	// mounted by a running container meanwhile.
	Diff(ctx context.Context, key string, w io.Writer) error
	// Remove deletes a snapshot. ErrFailedPrecondition if another snapshot
	// has it as parent; ErrNotFound if there is none.
	Remove(ctx context.Context, key string) error
}

// Kind tells committed layers from writable ones.
type Kind string

const (
	KindCommitted Kind = "committed"
	KindActive    Kind = "active"
)

// Info describes a snapshot.
type Info struct {
	Key     string    `json:"key"`
	Parent  string    `json:"parent,omitempty"`
	Kind    Kind      `json:"kind"`
	Created time.Time `json:"created"`
}

// Usage is the disk space of one snapshot: bytes of its files (hardlinks
// counted once) and its number of inodes.
type Usage struct {
	Size   int64
	Inodes int64
}

// Layer is one layer of an image, bottom first in a []Layer.
type Layer struct {
	// Blob is the digest of the stored (maybe compressed) layer blob.
	Blob digest.Digest
	// DiffID is the digest of the uncompressed tar, as in the image config.
	DiffID digest.Digest
}

// BlobOpener reads blobs by digest; the content store is one.
type BlobOpener interface {
	Open(ctx context.Context, dgst digest.Digest) (io.ReadCloser, error)
}
