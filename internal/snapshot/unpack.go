package snapshot

import (
	"context"
	"fmt"
	"io"

	"github.com/berthproject/berth/internal/archive"
	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
)

// chainIDs returns the chain ID of each prefix of layers.
func chainIDs(layers []Layer) ([]digest.Digest, error) {
	diffIDs := make([]digest.Digest, len(layers))
	for i, l := range layers {
		if err := l.DiffID.Validate(); err != nil {
			return nil, fmt.Errorf("layer %d diffID %q: %v: %w", i, l.DiffID, err, errdefs.ErrInvalidArgument)
		}
		diffIDs[i] = l.DiffID
	}
	out := make([]digest.Digest, len(layers))
	for i := range layers {
		out[i] = identity.ChainID(diffIDs[:i+1])
	}
	return out, nil
}

// applyLayer unpacks one layer blob into dir and checks that the
// uncompressed stream has the layer's DiffID.
func applyLayer(ctx context.Context, dir string, l Layer, opener BlobOpener, mode archive.WhiteoutMode) error {
	rc, err := opener.Open(ctx, l.Blob)
	if err != nil {
		return fmt.Errorf("open layer %s: %w", l.Blob, err)
	}
	defer rc.Close()
	plain, err := archive.Decompress(rc)
	if err != nil {
		return fmt.Errorf("layer %s: %w", l.Blob, err)
	}
	defer plain.Close()
	v := l.DiffID.Verifier()
	d := l.DiffID.Algorithm().Digester()
	tee := io.TeeReader(plain, io.MultiWriter(v, d.Hash()))
	if _, err := archive.Apply(ctx, dir, tee, archive.ApplyOptions{Whiteouts: mode}); err != nil {
		return fmt.Errorf("unpack layer %s: %w", l.Blob, err)
	}
	if !v.Verified() {
		return fmt.Errorf("layer %s: uncompressed content is %s, the image says %s: %w",
			l.Blob, d.Digest(), l.DiffID, errdefs.ErrInvalidArgument)
	}
	return nil
}
