package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"
)

func isRoot() bool { return os.Geteuid() == 0 }

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: mounts overlayfs and unpacks layers with owners and device nodes")
	}
}

// blobs is an in-memory content store that counts reads.
type blobs struct {
	mu    sync.Mutex
	data  map[digest.Digest][]byte
	opens int
}

func (b *blobs) Open(ctx context.Context, d digest.Digest) (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.data[d]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", d, errdefs.ErrNotFound)
	}
	b.opens++
	return io.NopCloser(bytes.NewReader(data)), nil
}

// layer builds a gzip layer from "name=body" files, "name/" dirs and
// "name->target" symlinks, stores it and returns its Layer.
func (b *blobs) layer(t *testing.T, entries ...string) Layer {
	t.Helper()
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for _, e := range entries {
		hdr := &tar.Header{Name: e, Mode: 0o644, Typeflag: tar.TypeReg}
		var body string
		if i := bytes.IndexByte([]byte(e), '='); i >= 0 {
			hdr.Name, body = e[:i], e[i+1:]
		} else if i := bytes.Index([]byte(e), []byte("->")); i >= 0 {
			hdr.Name, hdr.Linkname, hdr.Typeflag = e[:i], e[i+2:], tar.TypeSymlink
		} else if e[len(e)-1] == '/' {
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		}
		hdr.Size = int64(len(body))
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw.Bytes())
	zw.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.data == nil {
		b.data = map[digest.Digest][]byte{}
	}
	blob := digest.FromBytes(gz.Bytes())
	b.data[blob] = gz.Bytes()
	return Layer{Blob: blob, DiffID: digest.FromBytes(raw.Bytes())}
}

// mountRoot mounts a snapshot on a fresh directory, unmounted at cleanup.
func mountRoot(t *testing.T, mounts []Mount) string {
	t.Helper()
	target := t.TempDir()
	if err := MountAll(context.Background(), mounts, target); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(target, unix.MNT_DETACH) })
	return target
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// snapshotDirs lists what is in <root>/snapshots.
func snapshotDirs(t *testing.T, root string) []string {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(root, "snapshots"))
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
