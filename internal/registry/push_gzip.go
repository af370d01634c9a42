package registry

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/gzip"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Layers berth holds uncompressed (import, load of a docker-archive,
// commit) are pushed gzipped, as Docker pushes them. The gzip of a layer is
// deterministic, and its descriptor is remembered under
// StateDir/gzip/<uncompressed hex>.json, so that a later push to a registry
// that has it compresses nothing; the compressed bytes themselves live in
// StateDir/gzip/<compressed hex>.tar.gz only while a push needs them.

const dockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar"

func isUncompressedLayer(mt string) bool {
	return mt == ocispec.MediaTypeImageLayer || mt == dockerLayerTar
}

func (s *Service) gzipDir() string {
	if s.cfg.StateDir == "" {
		return ""
	}
	return filepath.Join(s.cfg.StateDir, "gzip")
}

// gzippedLayer returns the descriptor to push for an uncompressed layer:
// the remembered one when the registry has it already, else a fresh
// compression (whose file the caller removes after the push).
func (s *Service) gzippedLayer(ctx context.Context, ep *endpoint, path string, d ocispec.Descriptor, manifestType string) (ocispec.Descriptor, string, error) {
	dir := s.gzipDir()
	memo := filepath.Join(dir, d.Digest.Encoded()+".json")
	if b, err := os.ReadFile(memo); err == nil {
		var cd ocispec.Descriptor
		if json.Unmarshal(b, &cd) == nil && cd.Digest.Validate() == nil {
			if ok, err := ep.hasBlob(ctx, path, cd.Digest); err == nil && ok {
				return cd, "", nil
			}
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return d, "", fmt.Errorf("compress layer %s: %w", d.Digest, err)
	}
	src, err := s.images.OpenBlob(ctx, d.Digest)
	if err != nil {
		return d, "", err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(dir, "tmp-")
	if err != nil {
		return d, "", fmt.Errorf("compress layer %s: %w", d.Digest, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	zw := gzip.NewWriter(io.MultiWriter(tmp, h))
	if _, err := io.Copy(zw, io.NewSectionReader(src, 0, src.Size())); err != nil {
		return d, "", fmt.Errorf("compress layer %s: %w", d.Digest, err)
	}
	if err := zw.Close(); err != nil {
		return d, "", fmt.Errorf("compress layer %s: %w", d.Digest, err)
	}
	st, err := tmp.Stat()
	if err != nil {
		return d, "", err
	}
	mt := ocispec.MediaTypeImageLayerGzip
	if manifestType == dockerManifest {
		mt = "application/vnd.docker.image.rootfs.diff.tar.gzip"
	}
	cd := ocispec.Descriptor{MediaType: mt, Digest: digest.NewDigest(digest.SHA256, h), Size: st.Size()}
	file := filepath.Join(dir, cd.Digest.Encoded()+".tar.gz")
	if err := os.Rename(tmp.Name(), file); err != nil {
		return d, "", fmt.Errorf("compress layer %s: %w", d.Digest, err)
	}
	if b, err := json.Marshal(cd); err == nil {
		_ = os.WriteFile(memo, b, 0o600)
	}
	return cd, file, nil
}

// openForPush opens a blob to upload: a compressed layer made for this
// push, or a stored blob.
func (s *Service) openForPush(ctx context.Context, d digest.Digest) (io.ReadCloser, int64, error) {
	if dir := s.gzipDir(); dir != "" && d.Validate() == nil {
		f, err := os.Open(filepath.Join(dir, d.Encoded()+".tar.gz"))
		if err == nil {
			st, err := f.Stat()
			if err != nil {
				f.Close()
				return nil, 0, err
			}
			return f, st.Size(), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, 0, err
		}
	}
	b, err := s.images.OpenBlob(ctx, d)
	if err != nil {
		return nil, 0, err
	}
	return b, b.Size(), nil
}

// rewriteManifest returns the manifest with its layers replaced.
func rewriteManifest(raw []byte, mediaType string, layers []ocispec.Descriptor) ([]byte, ocispec.Descriptor, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, ocispec.Descriptor{}, invalid(err)
	}
	lb, err := json.Marshal(layers)
	if err != nil {
		return nil, ocispec.Descriptor{}, err
	}
	m["layers"] = lb
	out, err := json.Marshal(m)
	if err != nil {
		return nil, ocispec.Descriptor{}, err
	}
	return out, ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(out), Size: int64(len(out))}, nil
}
