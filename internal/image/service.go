// Package image is berth's image service: it records images in the metadata
// database, keeps their blobs in the content store, resolves names as Docker
// does, and moves images in and out as docker-archives, OCI layouts and
// rootfs tarballs.
//
// An image record (bucket store.Images, keyed by image ID = config digest)
// names every blob the image needs: manifest (and index), config and layers.
// Records are the garbage collector's roots: a blob no record (and no load
// in progress) refers to is garbage. A record is committed only after all of
// its blobs are verified and present, so a crash mid-load leaves only
// unreferenced blobs and ingest files, which GarbageCollect removes.
package image

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/berthproject/berth/internal/content"
	"github.com/berthproject/berth/internal/store"
	"github.com/moby/moby/api/types/events"
	"github.com/opencontainers/go-digest"
)

// Service is the image service. Its methods are safe for concurrent use.
type Service struct {
	db *store.DB
	cs *content.Store

	// mu serialises record mutations with blob deletion, so that a blob is
	// never deleted while a record that needs it is being committed.
	mu sync.Mutex
	// leases count the blobs held by loads and imports in progress.
	leases map[digest.Digest]int

	// hooks guards the callbacks the daemon wires in (SetUsers, SetEvents).
	hooks   sync.RWMutex
	users   func(imageID string) []User
	publish func(events.Message)
}

// NewService returns the image service over a metadata database and a
// content store.
func NewService(db *store.DB, cs *content.Store) (*Service, error) {
	if db == nil || cs == nil {
		return nil, fmt.Errorf("image service needs a metadata database and a content store")
	}
	return &Service{db: db, cs: cs, leases: map[digest.Digest]int{}}, nil
}

// Count returns the number of images, for /info.
func (s *Service) Count(ctx context.Context) (int, error) {
	recs, err := s.records(ctx)
	return len(recs), err
}

// records returns every image record.
func (s *Service) records(ctx context.Context) ([]record, error) {
	var recs []record
	err := s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		recs, err = store.List[record](tx, store.Images)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	return recs, nil
}

// GarbageCollect drops partial writes left in the content store and every
// blob that no image record and no load in progress refers to. The daemon
// calls it at start, before serving requests; Remove and Prune call the
// blob part after deleting images.
func (s *Service) GarbageCollect(ctx context.Context) error {
	s.mu.Lock()
	busy := len(s.leases) > 0
	s.mu.Unlock()
	if !busy {
		if err := s.cs.CleanIngest(ctx); err != nil {
			return err
		}
	}
	if err := s.dropBroken(ctx); err != nil {
		return err
	}
	_, err := s.collectBlobs(ctx)
	return err
}

// dropBroken removes the records of images whose blobs are gone (deleted
// by hand, or lost with a disk): the database is reconciled with the
// content store rather than trusted.
func (s *Service) dropBroken(ctx context.Context) error {
	return s.updateRecords(ctx, func(rs *recordSet) error {
		for id, r := range rs.recs {
			for _, d := range r.blobs() {
				if _, err := s.cs.Info(ctx, d); err != nil {
					slog.WarnContext(ctx, "dropping image whose blob is missing", "image", id, "blob", d, "error", err)
					rs.remove(id)
					break
				}
			}
		}
		return nil
	})
}

// collectBlobs deletes unreferenced blobs and returns the bytes freed.
func (s *Service) collectBlobs(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	live, err := s.liveBlobsLocked(ctx)
	if err != nil {
		return 0, err
	}
	removed, err := s.cs.GarbageCollect(ctx, func(d digest.Digest) bool { return live[d] })
	var freed uint64
	for _, r := range removed {
		freed += uint64(r.Size)
	}
	if len(removed) > 0 {
		slog.InfoContext(ctx, "garbage collected blobs", "count", len(removed), "bytes", freed)
	}
	return freed, err
}

// liveBlobsLocked returns every blob referenced by a record or a lease.
// s.mu must be held.
func (s *Service) liveBlobsLocked(ctx context.Context) (map[digest.Digest]bool, error) {
	recs, err := s.records(ctx)
	if err != nil {
		return nil, err
	}
	live := map[digest.Digest]bool{}
	for _, r := range recs {
		for _, d := range r.blobs() {
			live[d] = true
		}
	}
	for d := range s.leases {
		live[d] = true
	}
	return live, nil
}

// lease protects the blobs a load or import writes until its records are
// committed (or it gives up), and remembers which blobs it created so that a
// failure can remove exactly those.
type lease struct {
	s       *Service
	held    []digest.Digest
	created []digest.Digest
}

func (s *Service) newLease() *lease { return &lease{s: s} }

// hold protects d from garbage collection; call it before the blob is
// committed so that no collection can slip in between.
func (l *lease) hold(d digest.Digest) {
	l.s.mu.Lock()
	l.s.leases[d]++
	l.s.mu.Unlock()
	l.held = append(l.held, d)
}

// addCreated records a blob this lease created; safe from any goroutine.
func (l *lease) addCreated(d digest.Digest) {
	l.s.mu.Lock()
	l.created = append(l.created, d)
	l.s.mu.Unlock()
}

// release drops the lease and deletes the blobs it created that nothing
// references any more: all of them after a failure, stray archive files
// after a success.
func (l *lease) release(ctx context.Context) {
	s := l.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range l.held {
		if s.leases[d]--; s.leases[d] <= 0 {
			delete(s.leases, d)
		}
	}
	if len(l.created) == 0 {
		return
	}
	live, err := s.liveBlobsLocked(ctx)
	if err != nil {
		slog.WarnContext(ctx, "cannot clean up blobs of a failed load; the next garbage collection will", "error", err)
		return
	}
	for _, d := range l.created {
		if !live[d] {
			if err := s.cs.Delete(ctx, d); err != nil {
				slog.WarnContext(ctx, "remove unreferenced blob", "digest", d, "error", err)
			}
		}
	}
}
