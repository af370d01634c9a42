// Package store is berth's metadata database: one bbolt file, one bucket per
// kind of object (images now; containers, volumes, networks later), each
// record a JSON document under a string key.
//
// Callers work in transactions: View for reads, Update for writes that must
// be all-or-nothing (an image record and its tags commit together or not at
// all). The typed helpers Get, Put and List spare them the JSON.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/containerd/errdefs"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Bucket names a kind of record.
type Bucket string

// The buckets berth knows. A bucket is created the first time it is written.
const (
	Images     Bucket = "images"
	Containers Bucket = "containers"
	Volumes    Bucket = "volumes"
	Networks   Bucket = "networks"
)

// openTimeout bounds the wait for bbolt's file lock: a second daemon on the
// same root must fail fast with a clear message, not hang.
const openTimeout = time.Second

// DB is the open metadata database.
type DB struct {
	bolt *bolt.DB
}

// Open opens (creating if needed) the database file at path.
func Open(path string) (*DB, error) {
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: openTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("metadata database %s is in use by another process (is another berth daemon running on this root?): %w", path, errdefs.ErrUnavailable)
	}
	if err != nil {
		return nil, fmt.Errorf("open metadata database %s: %w", path, err)
	}
	return &DB{bolt: b}, nil
}

// Close closes the database file.
func (db *DB) Close() error {
	return db.bolt.Close()
}

// Tx is a transaction: read-only inside View, read-write inside Update.
type Tx struct {
	tx *bolt.Tx
}

// View runs fn in a read-only transaction.
func (db *DB) View(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) })
}

// Update runs fn in a read-write transaction, committed only if fn returns nil.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) })
}

// GetRaw returns the raw bytes stored under key, or errdefs.ErrNotFound. The
// slice is valid only inside the transaction.
func (tx *Tx) GetRaw(b Bucket, key string) ([]byte, error) {
	bk := tx.tx.Bucket([]byte(b))
	var v []byte
	if bk != nil {
		v = bk.Get([]byte(key))
	}
	if v == nil {
		return nil, fmt.Errorf("%s record %q: %w", b, key, errdefs.ErrNotFound)
	}
	return v, nil
}

// PutRaw stores value under key, replacing any previous value.
func (tx *Tx) PutRaw(b Bucket, key string, value []byte) error {
	bk, err := tx.tx.CreateBucketIfNotExists([]byte(b))
	if err != nil {
		return fmt.Errorf("bucket %s: %w", b, err)
	}
	if err := bk.Put([]byte(key), value); err != nil {
		return fmt.Errorf("put %s record %q: %w", b, key, err)
	}
	return nil
}

// Delete removes key; deleting an absent key returns errdefs.ErrNotFound.
func (tx *Tx) Delete(b Bucket, key string) error {
	bk := tx.tx.Bucket([]byte(b))
	if bk == nil || bk.Get([]byte(key)) == nil {
		return fmt.Errorf("%s record %q: %w", b, key, errdefs.ErrNotFound)
	}
	if err := bk.Delete([]byte(key)); err != nil {
		return fmt.Errorf("delete %s record %q: %w", b, key, err)
	}
	return nil
}

// ForEach calls fn for every record of a bucket in key order; an error from
// fn stops the walk and is returned. raw is valid only during the call.
func (tx *Tx) ForEach(b Bucket, fn func(key string, raw []byte) error) error {
	bk := tx.tx.Bucket([]byte(b))
	if bk == nil {
		return nil
	}
	return bk.ForEach(func(k, v []byte) error { return fn(string(k), v) })
}

// Get decodes the JSON record under key.
func Get[T any](tx *Tx, b Bucket, key string) (T, error) {
	var v T
	raw, err := tx.GetRaw(b, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s record %q: %w", b, key, err)
	}
	return v, nil
}

// Put stores v as JSON under key.
func Put[T any](tx *Tx, b Bucket, key string, v T) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s record %q: %w", b, key, err)
	}
	return tx.PutRaw(b, key, raw)
}

// List decodes every record of a bucket, in key order.
func List[T any](tx *Tx, b Bucket) ([]T, error) {
	var out []T
	err := tx.ForEach(b, func(key string, raw []byte) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("decode %s record %q: %w", b, key, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}
