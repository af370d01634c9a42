package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"

	"github.com/containerd/errdefs"
)

// Validate reads a whole layer stream (plain, gzip or zstd) and reports the
// first entry that breaks berth's rules (see docs/storage.md), or a stream
// that is not a complete tar. Errors are errdefs.ErrInvalidArgument and name
// the offending entry. Nothing is written anywhere.
func Validate(r io.Reader) error {
	rc, err := Decompress(r)
	if err != nil {
		return err
	}
	defer rc.Close()
	cr := &CountingReader{R: rc}
	if err := CheckTar(cr); err != nil {
		return err
	}
	if cr.N == 0 {
		return fmt.Errorf("layer is empty, not a tar: %w", errdefs.ErrInvalidArgument)
	}
	// Drain the padding so that a truncated compressed stream is noticed.
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return tarError(err)
	}
	return nil
}

// CheckTar reads an uncompressed tar stream up to its end-of-archive
// marker and reports the first entry that breaks the rules Apply and
// CopyIn enforce, with the same errors as Validate. It reads headers only
// (bodies are skipped), so loading or importing a layer can check it while
// copying it, and an image that loads is an image that unpacks. Bytes after
// the marker are left in r.
func CheckTar(r io.Reader) error {
	tr := tar.NewReader(r)
	c := newChecker()
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return tarError(err)
		}
		if _, err := c.check(hdr); err != nil {
			return err
		}
	}
}

// tarError classifies a failure of the tar reader: a short or malformed
// stream is bad input.
func tarError(err error) error {
	if errdefs.IsInvalidArgument(err) {
		return err
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("layer tar is truncated: %w", errdefs.ErrInvalidArgument)
	case errors.Is(err, tar.ErrHeader), errors.Is(err, tar.ErrFieldTooLong), errors.Is(err, tar.ErrInsecurePath):
		return fmt.Errorf("layer is not a valid tar: %v: %w", err, errdefs.ErrInvalidArgument)
	}
	return fmt.Errorf("read layer tar: %w", err)
}
