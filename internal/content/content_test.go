package content

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
)

func newStore(t *testing.T) (*Store, string) {
	root := t.TempDir()
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return s, root
}

func TestPutVerifiesAndPublishes(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	data := []byte("hello blob")
	d := digest.FromBytes(data)
	info, created, err := s.Put(ctx, bytes.NewReader(data), d, int64(len(data)))
	if err != nil || !created || info.Digest != d || info.Size != int64(len(data)) {
		t.Fatalf("Put = %+v %v %v", info, created, err)
	}
	if _, created, err = s.Put(ctx, bytes.NewReader(data), d, -1); err != nil || created {
		t.Fatalf("second Put created=%v err=%v, want existing", created, err)
	}
	rc, err := s.Open(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Fatalf("read back %q", got)
	}
	ra, err := s.ReaderAt(ctx, d)
	if err != nil || ra.Size() != int64(len(data)) {
		t.Fatalf("ReaderAt: %v size %d", err, ra.Size())
	}
	ra.Close()
}

func TestBadBlobNeverVisible(t *testing.T) {
	ctx := context.Background()
	s, root := newStore(t)
	data := []byte("real content")
	wrong := digest.FromString("other content")
	_, _, err := s.Put(ctx, bytes.NewReader(data), wrong, -1)
	if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "does not match its digest") {
		t.Fatalf("Put with wrong digest: %v", err)
	}
	_, _, err = s.Put(ctx, bytes.NewReader(data), "", 3)
	if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "size") {
		t.Fatalf("Put with wrong size: %v", err)
	}
	assertEmpty(t, root)
	if _, err := s.Info(ctx, digest.FromBytes(data)); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("Info of rejected blob: %v", err)
	}
}

func TestAbortedWriterLeavesNothing(t *testing.T) {
	ctx := context.Background()
	s, root := newStore(t)
	w, err := s.Writer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("half"))
	w.Close()
	assertEmpty(t, root)
}

func TestInvalidDigestRefused(t *testing.T) {
	s, _ := newStore(t)
	for _, d := range []digest.Digest{"sha256:../../etc/passwd", "md5:abc", ""} {
		if _, err := s.Open(context.Background(), d); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("Open(%q): %v, want invalid argument", d, err)
		}
	}
}

func TestGarbageCollectAndCleanIngest(t *testing.T) {
	ctx := context.Background()
	s, root := newStore(t)
	keep, _, _ := s.Put(ctx, strings.NewReader("keep"), "", -1)
	drop, _, _ := s.Put(ctx, strings.NewReader("drop"), "", -1)
	os.WriteFile(filepath.Join(root, "ingest", "leftover"), []byte("x"), 0o600)
	removed, err := s.GarbageCollect(ctx, func(d digest.Digest) bool { return d == keep.Digest })
	if err != nil || len(removed) != 1 || removed[0].Digest != drop.Digest {
		t.Fatalf("GarbageCollect = %v, %v", removed, err)
	}
	if err := s.CleanIngest(ctx); err != nil {
		t.Fatal(err)
	}
	var all []digest.Digest
	s.Walk(ctx, func(i Info) error { all = append(all, i.Digest); return nil })
	if len(all) != 1 || all[0] != keep.Digest {
		t.Fatalf("after GC: %v", all)
	}
	if e, _ := os.ReadDir(filepath.Join(root, "ingest")); len(e) != 0 {
		t.Fatalf("ingest not cleaned: %v", e)
	}
}

func assertEmpty(t *testing.T, root string) {
	t.Helper()
	for _, d := range []string{"blobs/sha256", "ingest"} {
		if e, _ := os.ReadDir(filepath.Join(root, d)); len(e) != 0 {
			t.Errorf("%s not empty: %v", d, e)
		}
	}
}
