package volume

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/berthproject/berth/internal/store"
	"github.com/containerd/errdefs"
)

func newService(t *testing.T) *Service {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "metadata.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(db, filepath.Join(dir, "volumes"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCreateIsIdempotentAndRemoveChecksUse(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	v, err := s.Create(ctx, CreateOptions{Name: "data", Labels: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Path("data"), "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := s.Create(ctx, CreateOptions{Name: "data"})
	if err != nil || !again.CreatedAt.Equal(v.CreatedAt) || again.Labels["a"] != "b" {
		t.Fatalf("second create = %+v, %v; want the first volume", again, err)
	}
	s.SetUsers(func(n string) []string {
		if n == "data" {
			return []string{"c1"}
		}
		return nil
	})
	if err := s.Remove(ctx, "data", false); !errdefs.IsConflict(err) {
		t.Fatalf("remove in use = %v, want conflict", err)
	}
	if _, err := os.Stat(filepath.Join(s.Path("data"), "f")); err != nil {
		t.Fatalf("refused remove touched the data: %v", err)
	}
	s.SetUsers(func(string) []string { return nil })
	if err := s.Remove(ctx, "data", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "data"); !errdefs.IsNotFound(err) {
		t.Fatalf("get after remove = %v", err)
	}
	if _, err := os.Stat(filepath.Dir(s.Path("data"))); !os.IsNotExist(err) {
		t.Fatalf("volume dir left behind: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	for _, o := range []CreateOptions{{Name: "a/b"}, {Name: "x"}, {Name: "ok1", Driver: "nfs"}, {Name: "ok2", Options: map[string]string{"type": "tmpfs"}}} {
		if _, err := s.Create(ctx, o); !errdefs.IsInvalidArgument(err) {
			t.Errorf("create %+v = %v, want invalid argument", o, err)
		}
	}
	if vs, _ := s.List(ctx); len(vs) != 0 {
		t.Fatalf("bad creates left volumes: %+v", vs)
	}
}

func TestPruneAnonymousOnlyUnlessAll(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	anon, _ := s.Create(ctx, CreateOptions{})
	used, _ := s.Create(ctx, CreateOptions{})
	if _, err := s.Create(ctx, CreateOptions{Name: "named"}); err != nil {
		t.Fatal(err)
	}
	s.SetUsers(func(n string) []string {
		if n == used.Name {
			return []string{"c"}
		}
		return nil
	})
	names, _, err := s.Prune(ctx, PruneOptions{})
	if err != nil || len(names) != 1 || names[0] != anon.Name {
		t.Fatalf("prune = %v, %v; want only %s", names, err, anon.Name)
	}
	names, _, _ = s.Prune(ctx, PruneOptions{All: true})
	if len(names) != 1 || names[0] != "named" {
		t.Fatalf("prune all = %v, want [named]", names)
	}
}

func TestCopyUpFillsOnlyEmptyVolume(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("copy-up keeps owners: needs root")
	}
	ctx := context.Background()
	s := newService(t)
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "sub"), 0o755)
	os.WriteFile(filepath.Join(src, "sub", "f"), []byte("image"), 0o644)
	if _, err := s.Create(ctx, CreateOptions{Name: "v1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CopyUp(ctx, "v1", src); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(s.Path("v1"), "sub", "f"))
	if err != nil || string(b) != "image" {
		t.Fatalf("copied file = %q, %v", b, err)
	}
	os.WriteFile(filepath.Join(s.Path("v1"), "sub", "f"), []byte("mine"), 0o644)
	if err := s.CopyUp(ctx, "v1", src); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(s.Path("v1"), "sub", "f")); string(b) != "mine" {
		t.Fatalf("copy-up overwrote a used volume: %q", b)
	}
}
