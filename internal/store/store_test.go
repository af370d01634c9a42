package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/containerd/errdefs"
)

type rec struct {
	Name string
	N    int
}

func TestPutGetListDelete(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "metadata.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = db.Update(ctx, func(tx *Tx) error {
		if err := Put(tx, Images, "b", rec{"b", 2}); err != nil {
			return err
		}
		return Put(tx, Images, "a", rec{"a", 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(tx *Tx) error {
		got, err := Get[rec](tx, Images, "b")
		if err != nil || got.N != 2 {
			t.Errorf("Get b = %+v, %v", got, err)
		}
		all, err := List[rec](tx, Images)
		if err != nil || len(all) != 2 || all[0].Name != "a" {
			t.Errorf("List = %+v, %v; want a then b", all, err)
		}
		if _, err := Get[rec](tx, Containers, "x"); !errors.Is(err, errdefs.ErrNotFound) {
			t.Errorf("Get from empty bucket: %v, want not found", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *Tx) error { return tx.Delete(Images, "a") }); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *Tx) error { return tx.Delete(Images, "a") }); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("second delete: %v, want not found", err)
	}
}

func TestUpdateIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "metadata.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	boom := errors.New("boom")
	err = db.Update(ctx, func(tx *Tx) error {
		if err := Put(tx, Images, "x", rec{"x", 1}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update: %v", err)
	}
	_ = db.View(ctx, func(tx *Tx) error {
		if all, _ := List[rec](tx, Images); len(all) != 0 {
			t.Errorf("failed update left %v", all)
		}
		return nil
	})
}

func TestSecondOpenFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metadata.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := Open(path); !errors.Is(err, errdefs.ErrUnavailable) {
		t.Fatalf("second Open: %v, want unavailable", err)
	}
}
