package image

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/berthproject/berth/internal/store"
	"github.com/opencontainers/go-digest"
)

// recordSet is every image record inside one write transaction, so that a
// tag can move from one image to another atomically.
type recordSet struct {
	tx      *store.Tx
	recs    map[digest.Digest]*record
	changed map[digest.Digest]bool
	deleted map[digest.Digest]bool
}

// updateRecords runs fn over every image record in one write transaction,
// under s.mu so that no blob collection runs meanwhile, and saves what fn
// changed if it returns nil.
func (s *Service) updateRecords(ctx context.Context, fn func(*recordSet) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Update(ctx, func(tx *store.Tx) error {
		rs, err := loadRecordSet(tx)
		if err != nil {
			return err
		}
		if err := fn(rs); err != nil {
			return err
		}
		return rs.save()
	})
}

func loadRecordSet(tx *store.Tx) (*recordSet, error) {
	list, err := store.List[record](tx, store.Images)
	if err != nil {
		return nil, err
	}
	rs := &recordSet{tx: tx, recs: map[digest.Digest]*record{}, changed: map[digest.Digest]bool{}, deleted: map[digest.Digest]bool{}}
	for i := range list {
		rs.recs[list[i].ID] = &list[i]
	}
	return rs, nil
}

// put adds or replaces a record.
func (rs *recordSet) put(r record) *record {
	rs.recs[r.ID] = &r
	rs.changed[r.ID] = true
	delete(rs.deleted, r.ID)
	return rs.recs[r.ID]
}

// tag gives tag (fully qualified) to image id, taking it from any other
// image: a tag names one image.
func (rs *recordSet) tag(id digest.Digest, tag string, now time.Time) {
	for oid, r := range rs.recs {
		if oid != id && slices.Contains(r.RepoTags, tag) {
			r.RepoTags = slices.DeleteFunc(r.RepoTags, func(t string) bool { return t == tag })
			rs.changed[oid] = true
		}
	}
	r := rs.recs[id]
	if !slices.Contains(r.RepoTags, tag) {
		r.RepoTags = append(r.RepoTags, tag)
	}
	r.LastTagTime = now
	rs.changed[id] = true
}

// remove deletes a record.
func (rs *recordSet) remove(id digest.Digest) {
	delete(rs.recs, id)
	delete(rs.changed, id)
	rs.deleted[id] = true
}

// save writes the changes into the transaction.
func (rs *recordSet) save() error {
	for id := range rs.changed {
		if err := store.Put(rs.tx, store.Images, id.String(), *rs.recs[id]); err != nil {
			return err
		}
	}
	for id := range rs.deleted {
		if err := rs.tx.Delete(store.Images, id.String()); err != nil {
			return fmt.Errorf("delete image %s: %w", id, err)
		}
	}
	return nil
}
