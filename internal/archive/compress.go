package archive

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/containerd/errdefs"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Compression is the compression of a layer stream, found by sniffing its
// first bytes rather than trusting a media type.
type Compression int

const (
	Uncompressed Compression = iota
	Gzip
	Zstd
)

var (
	magicGzip  = []byte{0x1f, 0x8b}
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicBzip2 = []byte{'B', 'Z', 'h'}
	magicXz    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
)

// Detect reports the compression of a stream from its first bytes.
func Detect(head []byte) Compression {
	switch {
	case bytes.HasPrefix(head, magicGzip):
		return Gzip
	case bytes.HasPrefix(head, magicZstd):
		return Zstd
	}
	return Uncompressed
}

// Decompress returns the uncompressed stream of a layer that may be plain,
// gzip or zstd. bzip2 and xz layers are refused: OCI layers are never
// compressed that way and supporting them would need an external tool.
func Decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(6)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read layer header: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, magicGzip):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip layer: %v: %w", err, errdefs.ErrInvalidArgument)
		}
		return &gzipReader{zr}, nil
	case bytes.HasPrefix(head, magicZstd):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(128<<20))
		if err != nil {
			return nil, fmt.Errorf("zstd layer: %v: %w", err, errdefs.ErrInvalidArgument)
		}
		return &zstdReader{zr}, nil
	case bytes.HasPrefix(head, magicBzip2), bytes.HasPrefix(head, magicXz):
		return nil, fmt.Errorf("layer compression (bzip2/xz) not supported: %w", errdefs.ErrInvalidArgument)
	}
	return io.NopCloser(br), nil
}

// gzipReader classifies corrupt compressed data as bad input.
type gzipReader struct{ zr *gzip.Reader }

func (g *gzipReader) Read(p []byte) (int, error) { return classifyRead(g.zr.Read(p)) }
func (g *gzipReader) Close() error               { return g.zr.Close() }

type zstdReader struct{ zr *zstd.Decoder }

func (z *zstdReader) Read(p []byte) (int, error) { return classifyRead(z.zr.Read(p)) }
func (z *zstdReader) Close() error               { z.zr.Close(); return nil }

func classifyRead(n int, err error) (int, error) {
	if err == nil || err == io.EOF {
		return n, err
	}
	return n, fmt.Errorf("decompress layer: %w: %w", err, errdefs.ErrInvalidArgument)
}
