package network

import (
	"context"
	"errors"

	"github.com/berthproject/berth/internal/store"
	"github.com/containerd/errdefs"
)

// Store persists the network service's records: JSON values under string
// keys ("network/<id>", "endpoint/<id>") in one bucket. Each Attach or
// Detach writes one record, so a crash leaves either all or none of it.
type Store interface {
	Put(ctx context.Context, key string, value []byte) error
	// Delete removes key; an absent key is not an error.
	Delete(ctx context.Context, key string) error
	List(ctx context.Context) (map[string][]byte, error)
}

// DBStore keeps the records in the "networks" bucket of berth's metadata
// database.
func DBStore(db *store.DB) Store { return dbStore{db} }

type dbStore struct{ db *store.DB }

func (s dbStore) Put(ctx context.Context, key string, value []byte) error {
	return s.db.Update(ctx, func(tx *store.Tx) error { return tx.PutRaw(store.Networks, key, value) })
}

func (s dbStore) Delete(ctx context.Context, key string) error {
	err := s.db.Update(ctx, func(tx *store.Tx) error { return tx.Delete(store.Networks, key) })
	if errors.Is(err, errdefs.ErrNotFound) {
		return nil
	}
	return err
}

func (s dbStore) List(ctx context.Context) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := s.db.View(ctx, func(tx *store.Tx) error {
		return tx.ForEach(store.Networks, func(k string, raw []byte) error {
			out[k] = append([]byte(nil), raw...)
			return nil
		})
	})
	return out, err
}
