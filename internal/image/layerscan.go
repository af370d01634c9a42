package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/containerd/errdefs"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// compression of a blob, sniffed from its first bytes.
type compression int

const (
	uncompressed compression = iota
	gzipped
	zstded
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

func sniff(b []byte) compression {
	switch {
	case bytes.HasPrefix(b, gzipMagic):
		return gzipped
	case bytes.HasPrefix(b, zstdMagic):
		return zstded
	}
	return uncompressed
}

// layerMediaType is the OCI media type of a layer blob.
func (c compression) layerMediaType() string {
	switch c {
	case gzipped:
		return ocispec.MediaTypeImageLayerGzip
	case zstded:
		return ocispec.MediaTypeImageLayerZstd
	}
	return ocispec.MediaTypeImageLayer
}

// decompress sniffs r's compression and returns the uncompressed stream
// and a function that releases the decompressor.
func decompress(r io.Reader) (compression, io.Reader, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	c := sniff(head)
	switch c {
	case gzipped:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return c, nil, nil, fmt.Errorf("not valid gzip: %v: %w", err, errdefs.ErrInvalidArgument)
		}
		return c, zr, func() { zr.Close() }, nil
	case zstded:
		zr, err := zstd.NewReader(br)
		if err != nil {
			return c, nil, nil, fmt.Errorf("not valid zstd: %v: %w", err, errdefs.ErrInvalidArgument)
		}
		return c, zr, zr.Close, nil
	}
	return c, br, func() {}, nil
}

// layerScan is what reading a layer blob once tells.
type layerScan struct {
	compression compression
	// diffID is the digest of the uncompressed tar; empty for an
	// uncompressed blob, whose diffID is its own digest.
	diffID digest.Digest
	// size is the uncompressed size.
	size int64
	// err is why the blob is not a safe layer (nil if it is).
	err error
}

// scanLayer reads a whole layer blob: it decompresses it if needed, hashes
// the uncompressed tar for the diffID and checks every header. It always
// drains r, so that a writer teeing into it never blocks.
func scanLayer(r io.Reader) (sc layerScan) {
	defer func() { _, _ = io.Copy(io.Discard, r) }()
	c, plain, closeFn, err := decompress(r)
	sc.compression = c
	if err != nil {
		sc.err = fmt.Errorf("layer: %w", err)
		return sc
	}
	defer closeFn()
	h := sha256.New()
	var tarStream io.Reader = plain
	if c != uncompressed {
		tarStream = io.TeeReader(plain, h)
	}
	counted := &countingReader{r: tarStream}
	sc.err = checkTar(counted)
	if sc.err == nil {
		// Trailing bytes after the end-of-archive blocks are part of the
		// blob and of its diffID.
		if _, err := io.Copy(io.Discard, counted); err != nil {
			sc.err = fmt.Errorf("read layer: %v: %w", err, errdefs.ErrInvalidArgument)
		}
	}
	sc.size = counted.n
	if sc.compression != uncompressed {
		sc.diffID = digest.NewDigest(digest.SHA256, h)
	}
	return sc
}

// checkTar reads a tar stream to its end, checking every header.
func checkTar(r io.Reader) error {
	tr := tar.NewReader(r)
	chk := newLayerChecker()
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("layer is not a valid tar: %v: %w", err, errdefs.ErrInvalidArgument)
		}
		if err := chk.check(hdr); err != nil {
			return err
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
