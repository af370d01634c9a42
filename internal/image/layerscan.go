package image

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/berthproject/berth/internal/archive"
	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// layerMediaType is the OCI media type of a layer blob compressed with c.
func layerMediaType(c archive.Compression) string {
	switch c {
	case archive.Gzip:
		return ocispec.MediaTypeImageLayerGzip
	case archive.Zstd:
		return ocispec.MediaTypeImageLayerZstd
	}
	return ocispec.MediaTypeImageLayer
}

// decompress sniffs r's compression and returns it with the uncompressed
// stream, which the caller closes.
func decompress(r io.Reader) (archive.Compression, io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(6)
	c := archive.Detect(head)
	plain, err := archive.Decompress(br)
	return c, plain, err
}

// layerScan is what reading a layer blob once tells.
type layerScan struct {
	compression archive.Compression
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
	c, plain, err := decompress(r)
	sc.compression = c
	if err != nil {
		sc.err = fmt.Errorf("layer: %w", err)
		return sc
	}
	defer plain.Close()
	h := sha256.New()
	var tarStream io.Reader = plain
	if c != archive.Uncompressed {
		tarStream = io.TeeReader(plain, h)
	}
	counted := &archive.CountingReader{R: tarStream}
	// The rules of unpacking (archive.Apply): an image that loads is an
	// image that runs.
	sc.err = archive.CheckTar(counted)
	if sc.err == nil {
		// Trailing bytes after the end-of-archive blocks are part of the
		// blob and of its diffID.
		if _, err := io.Copy(io.Discard, counted); err != nil {
			sc.err = fmt.Errorf("read layer: %v: %w", err, errdefs.ErrInvalidArgument)
		}
	}
	sc.size = counted.N
	if sc.compression != archive.Uncompressed {
		sc.diffID = digest.NewDigest(digest.SHA256, h)
	}
	return sc
}
