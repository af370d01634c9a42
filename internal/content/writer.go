package content

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
)

// Writer receives one blob. Write hashes and stores bytes in an ingest file;
// Commit verifies and publishes it; Close discards it unless committed. A
// Writer is used by one goroutine.
type Writer struct {
	s      *Store
	f      *os.File
	h      hash.Hash
	n      int64
	closed bool
}

// Writer starts a new blob in ingest/.
func (s *Store) Writer(ctx context.Context) (*Writer, error) {
	f, err := os.CreateTemp(filepath.Join(s.root, "ingest"), "blob-")
	if err != nil {
		return nil, fmt.Errorf("start blob: %w", err)
	}
	return &Writer{s: s, f: f, h: sha256.New()}, nil
}

// Write appends p to the blob.
func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	if err != nil {
		return n, fmt.Errorf("write blob: %w", err)
	}
	return n, nil
}

// Digest is the digest of the bytes written so far.
func (w *Writer) Digest() digest.Digest {
	return digest.NewDigest(digest.SHA256, w.h)
}

// Size is the number of bytes written so far.
func (w *Writer) Size() int64 { return w.n }

// Commit publishes the blob under its digest. expected and size, when set
// (non-empty, ≥ 0), must match what was written, else the blob is discarded
// and an errdefs.ErrInvalidArgument error names the mismatch. created
// reports whether the blob is new (false when the store already had it).
func (w *Writer) Commit(ctx context.Context, expected digest.Digest, size int64) (info Info, created bool, err error) {
	if w.closed {
		return Info{}, false, fmt.Errorf("commit blob: writer closed: %w", errdefs.ErrFailedPrecondition)
	}
	defer w.Close()
	got := w.Digest()
	if size >= 0 && size != w.n {
		return Info{}, false, fmt.Errorf("blob %s: size %d does not match the expected %d: %w", expected, w.n, size, errdefs.ErrInvalidArgument)
	}
	if expected != "" && expected != got {
		return Info{}, false, fmt.Errorf("blob %s: content does not match its digest (got %s): %w", expected, got, errdefs.ErrInvalidArgument)
	}
	info = Info{Digest: got, Size: w.n}
	dst, _ := w.s.blobPath(got)
	if _, err := os.Stat(dst); err == nil {
		return info, false, nil
	}
	if err := w.f.Sync(); err != nil {
		return Info{}, false, fmt.Errorf("sync blob %s: %w", got, err)
	}
	if err := os.Chmod(w.f.Name(), 0o444); err != nil {
		return Info{}, false, fmt.Errorf("blob %s: %w", got, err)
	}
	if err := os.Rename(w.f.Name(), dst); err != nil {
		return Info{}, false, fmt.Errorf("publish blob %s: %w", got, err)
	}
	return info, true, nil
}

// Close discards an uncommitted blob; after Commit it is a no-op.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.f.Close()
	if rerr := os.Remove(w.f.Name()); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
		err = rerr
	}
	return err
}

// Put stores a whole blob read from r (see Writer.Commit for expected and size).
func (s *Store) Put(ctx context.Context, r io.Reader, expected digest.Digest, size int64) (Info, bool, error) {
	w, err := s.Writer(ctx)
	if err != nil {
		return Info{}, false, err
	}
	defer w.Close()
	if _, err := io.Copy(w, r); err != nil {
		return Info{}, false, fmt.Errorf("store blob %s: %w", expected, err)
	}
	return w.Commit(ctx, expected, size)
}

// Sync makes committed renames durable: the image service calls it before a
// metadata record that refers to new blobs is committed.
func (s *Store) Sync(ctx context.Context) error {
	d, err := os.Open(filepath.Join(s.root, "blobs", "sha256"))
	if err != nil {
		return fmt.Errorf("sync content store: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync content store: %w", err)
	}
	return nil
}
