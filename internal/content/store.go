// Package content is berth's content-addressed blob store.
//
// Every blob lives at blobs/sha256/<hex> under the store's root and is named
// by the digest of its bytes. A blob enters only through a Writer: bytes go
// to a temporary file in ingest/, are hashed as they are written, and the
// file is fsynced and renamed into blobs/ only once its digest (and size,
// when known) match what the caller expected. A reader therefore never sees
// a half-written or unverified blob; a crash leaves at most ingest/ files,
// which CleanIngest removes.
//
// The store keeps no references: which blobs are live is the image
// service's knowledge, handed to GarbageCollect as a keep set.
package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
)

// Store is a blob store rooted at a directory.
type Store struct {
	root string
}

// Info describes a stored blob.
type Info struct {
	Digest digest.Digest
	Size   int64
}

// Open opens (creating if needed) the store rooted at root.
func Open(root string) (*Store, error) {
	for _, d := range []string{filepath.Join(root, "blobs", "sha256"), filepath.Join(root, "ingest")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("content store: %w", err)
		}
	}
	return &Store{root: root}, nil
}

// blobPath returns where a blob lives, refusing digests that are not
// well-formed sha256 (they could name paths outside the store).
func (s *Store) blobPath(dgst digest.Digest) (string, error) {
	if err := dgst.Validate(); err != nil || dgst.Algorithm() != digest.SHA256 {
		return "", fmt.Errorf("invalid blob digest %q: %w", dgst, errdefs.ErrInvalidArgument)
	}
	return filepath.Join(s.root, "blobs", "sha256", dgst.Encoded()), nil
}

// Info returns the size of a blob, or errdefs.ErrNotFound.
func (s *Store) Info(ctx context.Context, dgst digest.Digest) (Info, error) {
	p, err := s.blobPath(dgst)
	if err != nil {
		return Info{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return Info{}, notFound(dgst, err)
	}
	return Info{Digest: dgst, Size: st.Size()}, nil
}

// Open opens a blob for reading, or returns errdefs.ErrNotFound.
func (s *Store) Open(ctx context.Context, dgst digest.Digest) (io.ReadCloser, error) {
	return s.ReaderAt(ctx, dgst)
}

// ReaderAt is a blob opened for random access.
type ReaderAt interface {
	io.ReaderAt
	io.ReadCloser
	Size() int64
}

type fileReader struct {
	*os.File
	size int64
}

func (f fileReader) Size() int64 { return f.size }

// ReaderAt opens a blob for random access, or returns errdefs.ErrNotFound.
func (s *Store) ReaderAt(ctx context.Context, dgst digest.Digest) (ReaderAt, error) {
	p, err := s.blobPath(dgst)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, notFound(dgst, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob %s: %w", dgst, err)
	}
	return fileReader{File: f, size: st.Size()}, nil
}

// ReadAll returns a whole (small) blob: configs, manifests, indexes.
func (s *Store) ReadAll(ctx context.Context, dgst digest.Digest) ([]byte, error) {
	p, err := s.blobPath(dgst)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, notFound(dgst, err)
	}
	return b, nil
}

// Delete removes a blob; an absent blob returns errdefs.ErrNotFound.
func (s *Store) Delete(ctx context.Context, dgst digest.Digest) error {
	p, err := s.blobPath(dgst)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		return notFound(dgst, err)
	}
	return nil
}

// Walk calls fn for every blob; files in blobs/ that are not named by a
// valid digest are skipped.
func (s *Store) Walk(ctx context.Context, fn func(Info) error) error {
	dir := filepath.Join(s.root, "blobs", "sha256")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("walk content store: %w", err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := digest.NewDigestFromEncoded(digest.SHA256, e.Name())
		if d.Validate() != nil || !e.Type().IsRegular() {
			continue
		}
		st, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("walk content store: %w", err)
		}
		if err := fn(Info{Digest: d, Size: st.Size()}); err != nil {
			return err
		}
	}
	return nil
}

func notFound(dgst digest.Digest, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob %s: %w", dgst, errdefs.ErrNotFound)
	}
	return fmt.Errorf("blob %s: %w", dgst, err)
}
