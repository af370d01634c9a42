package snapshot

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/opencontainers/go-digest"
)

// benchLayers makes n gzip layers of files files of size bytes each, of
// random (incompressible) content, like binaries in real images.
func benchLayers(b *testing.B, bl *blobs, n, files, size int) []Layer {
	b.Helper()
	rnd := rand.New(rand.NewSource(1))
	body := make([]byte, size)
	var layers []Layer
	for l := range n {
		var raw bytes.Buffer
		tw := tar.NewWriter(&raw)
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("l%d/", l), Typeflag: tar.TypeDir, Mode: 0o755})
		for f := range files {
			rnd.Read(body)
			tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("l%d/f%d", l, f), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(size)})
			tw.Write(body)
		}
		tw.Close()
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(raw.Bytes())
		zw.Close()
		if bl.data == nil {
			bl.data = map[digest.Digest][]byte{}
		}
		blob := digest.FromBytes(gz.Bytes())
		bl.data[blob] = gz.Bytes()
		layers = append(layers, Layer{Blob: blob, DiffID: digest.FromBytes(raw.Bytes())})
	}
	return layers
}

// BenchmarkUnpack unpacks a 5-layer, 100 MB image into an empty store.
func BenchmarkUnpack(b *testing.B) {
	if !isRoot() {
		b.Skip("needs root")
	}
	bl := &blobs{}
	layers := benchLayers(b, bl, 5, 40, 512<<10)
	for name, open := range snapshotters {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(5 * 40 * 512 << 10)
			for b.Loop() {
				sn, err := open(context.Background(), b.TempDir())
				if _, ok := err.(errSkip); ok {
					b.Skip(err)
				}
				if err != nil {
					b.Fatal(err)
				}
				if _, err := sn.Unpack(context.Background(), layers, bl); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
