package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/berthproject/berth/internal/content"
	"github.com/berthproject/berth/internal/store"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// newTestService opens a service on a scratch root.
func newTestService(t testing.TB) (*Service, string) {
	t.Helper()
	root := t.TempDir()
	svc := openService(t, root)
	return svc, root
}

func openService(t testing.TB, root string) *Service {
	t.Helper()
	db, err := store.Open(filepath.Join(root, "metadata.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cs, err := content.Open(filepath.Join(root, "content"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(db, cs)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// snapshot is what a user sees of a store: images with their names, blobs,
// and whether partial writes are left.
type snapshot struct {
	Images []string
	Blobs  []string
	Ingest int
}

func takeSnapshot(t testing.TB, svc *Service, root string) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	recs, err := svc.records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		b, _ := json.Marshal([]any{r.ID, r.RepoTags, r.RepoDigests})
		s.Images = append(s.Images, string(b))
	}
	svc.cs.Walk(ctx, func(i content.Info) error {
		s.Blobs = append(s.Blobs, i.Digest.String())
		return nil
	})
	e, _ := os.ReadDir(filepath.Join(root, "content", "ingest"))
	s.Ingest = len(e)
	slices.Sort(s.Images)
	slices.Sort(s.Blobs)
	return s
}

// tarEntry is one member of a hand-made tar.
type tarEntry struct {
	Name     string
	Type     byte
	Linkname string
	Body     []byte
}

func makeTar(t testing.TB, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		typ := e.Type
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: e.Name, Typeflag: typ, Linkname: e.Linkname, Mode: 0o644, Size: int64(len(e.Body)), ModTime: time.Unix(0, 0)}
		if typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			tw.Write(e.Body)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dockerArchiveOf makes a docker-archive of the given layer tars (stored as
// given, diffIDs computed from them) with a config whose labels carry salt.
func dockerArchiveOf(t testing.TB, tags []string, salt string, layers ...[]byte) []byte {
	t.Helper()
	created := time.Unix(1700000000, 0).UTC()
	cfg := ocispec.Image{Created: &created, Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"},
		Config: ocispec.ImageConfig{Labels: map[string]string{"salt": salt}}, RootFS: ocispec.RootFS{Type: "layers"}}
	var entries []tarEntry
	var paths []string
	for i, l := range layers {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, digest.FromBytes(l))
		p := filepath.Join("l"+string(rune('0'+i)), "layer.tar")
		paths = append(paths, p)
		entries = append(entries, tarEntry{Name: p, Body: l})
	}
	cb, _ := json.Marshal(cfg)
	mb, _ := json.Marshal([]dockerManifestEntry{{Config: "config.json", RepoTags: tags, Layers: paths}})
	entries = append(entries, tarEntry{Name: "config.json", Body: cb}, tarEntry{Name: "manifest.json", Body: mb})
	return makeTar(t, entries)
}

// rewriteTar copies a tar, letting edit change or drop (return false) members.
func rewriteTar(t testing.TB, data []byte, edit func(h *tar.Header, body []byte) ([]byte, bool)) []byte {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		body, keep := edit(h, body)
		if !keep {
			continue
		}
		h.Size = int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
	}
	tw.Close()
	return buf.Bytes()
}

// members lists a tar's member names and bodies.
func members(t testing.TB, data []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	rewriteTar(t, data, func(h *tar.Header, body []byte) ([]byte, bool) {
		out[h.Name] = body
		return body, true
	})
	return out
}

func newGzip(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) }
