package image

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/moby/moby/api/types/events"
	"io"
	"slices"
	"time"

	"github.com/berthproject/berth/internal/content"
	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Ingest is one pull in progress: it holds the blobs it writes or reuses
// until Commit records the image, and Close deletes what it wrote when the
// pull failed. A pull's bytes enter the store only verified; the image
// becomes visible only when every blob is present.
type Ingest struct {
	s *Service
	l *lease
}

// LayerInfo is what berth must know of a layer blob to record it.
type LayerInfo struct {
	DiffID digest.Digest
	// Size is the uncompressed size.
	Size int64
}

// NewIngest starts a pull.
func (s *Service) NewIngest() *Ingest { return &Ingest{s: s, l: s.newLease()} }

// Close ends the ingest: the blobs it created that no image references are
// deleted (all of them when Commit was not reached).
func (in *Ingest) Close(ctx context.Context) { in.l.release(ctx) }

// Reuse reports whether the store already holds the blob desc names (with
// its size), and holds it for this ingest if so. For a layer it also
// returns its facts, from an image that has it or by scanning it again.
func (in *Ingest) Reuse(ctx context.Context, desc ocispec.Descriptor, layer bool) (LayerInfo, bool) {
	// Held before it is looked at, so that no rmi can delete it in between.
	in.l.hold(desc.Digest)
	info, err := in.s.cs.Info(ctx, desc.Digest)
	if err != nil || info.Size != desc.Size {
		return LayerInfo{}, false
	}
	if !layer {
		return LayerInfo{}, true
	}
	if li, ok := in.knownLayer(ctx, desc.Digest); ok {
		return li, true
	}
	r, err := in.s.cs.Open(ctx, desc.Digest)
	if err != nil {
		return LayerInfo{}, false
	}
	defer r.Close()
	sc := scanLayer(r)
	if sc.err != nil {
		return LayerInfo{}, false
	}
	return layerInfo(sc, desc.Digest), true
}

// knownLayer finds a layer's facts in the records of the images that have it.
func (in *Ingest) knownLayer(ctx context.Context, d digest.Digest) (LayerInfo, bool) {
	recs, err := in.s.records(ctx)
	if err != nil {
		return LayerInfo{}, false
	}
	for _, r := range recs {
		if i := slices.IndexFunc(r.Layers, func(l ocispec.Descriptor) bool { return l.Digest == d }); i >= 0 && i < len(r.DiffIDs) && i < len(r.LayerSizes) {
			return LayerInfo{DiffID: r.DiffIDs[i], Size: r.LayerSizes[i]}, true
		}
	}
	return LayerInfo{}, false
}

func layerInfo(sc layerScan, d digest.Digest) LayerInfo {
	li := LayerInfo{DiffID: sc.diffID, Size: sc.size}
	if li.DiffID == "" {
		li.DiffID = d
	}
	return li
}

// PutBlob stores a small blob (a manifest, an index, a config) whose bytes
// the caller holds, verifying it against desc.
func (in *Ingest) PutBlob(ctx context.Context, desc ocispec.Descriptor, data []byte) error {
	if int64(len(data)) != desc.Size {
		return fmt.Errorf("blob %s is %d bytes but its descriptor says %d: %w", desc.Digest, len(data), desc.Size, errdefs.ErrInvalidArgument)
	}
	in.l.hold(desc.Digest)
	_, created, err := in.s.cs.Put(ctx, bytes.NewReader(data), desc.Digest, desc.Size)
	if created {
		in.l.addCreated(desc.Digest)
	}
	return err
}

// BlobPath is the file a stored blob lives in, so that the registry can
// keep a hard link to a finished layer while its pull is unfinished.
func (s *Service) BlobPath(ctx context.Context, d digest.Digest) (string, error) {
	r, err := s.cs.ReaderAt(ctx, d)
	if err != nil {
		return "", err
	}
	defer r.Close()
	if f, ok := r.(interface{ Name() string }); ok {
		return f.Name(), nil
	}
	return "", fmt.Errorf("blob %s has no file: %w", d, errdefs.ErrNotImplemented)
}

// PulledImage is an image whose blobs are all in the ingest.
type PulledImage struct {
	// Tag is the fully qualified tag to give it ("" when pulled by digest).
	Tag string
	// Repository is the fully qualified repository, for RepoDigests.
	Repository string
	Manifest   ocispec.Descriptor
	Index      *ocispec.Descriptor
	Config     ocispec.Descriptor
	ConfigRaw  []byte
	Layers     []ocispec.Descriptor
	LayerInfos []LayerInfo
}

// Commit checks the config against the layers and records the image,
// tagging it and adding repo@digest to its RepoDigests. It returns the
// image ID and whether the tag was moved or added (Docker's "Downloaded
// newer image" against "Image is up to date").
func (in *Ingest) Commit(ctx context.Context, p PulledImage) (id digest.Digest, changed bool, err error) {
	var cfg ocispec.Image
	if err := json.Unmarshal(p.ConfigRaw, &cfg); err != nil {
		return "", false, fmt.Errorf("image config %s is not valid JSON: %v: %w", p.Config.Digest, err, errdefs.ErrInvalidArgument)
	}
	id = digest.FromBytes(p.ConfigRaw)
	if len(cfg.RootFS.DiffIDs) != len(p.Layers) || len(p.LayerInfos) != len(p.Layers) {
		return "", false, fmt.Errorf("image %s: config lists %d layers, manifest %d: %w", id, len(cfg.RootFS.DiffIDs), len(p.Layers), errdefs.ErrInvalidArgument)
	}
	rec := record{ID: id, Manifest: p.Manifest, Index: p.Index, Config: p.Config, Loaded: time.Now().UTC()}
	if cfg.Created != nil {
		rec.Created = cfg.Created.UTC()
	}
	for i, l := range p.Layers {
		if p.LayerInfos[i].DiffID != cfg.RootFS.DiffIDs[i] {
			return "", false, fmt.Errorf("layer %d (%s) has diffID %s but the config expects %s: %w", i+1, l.Digest, p.LayerInfos[i].DiffID, cfg.RootFS.DiffIDs[i], errdefs.ErrInvalidArgument)
		}
		rec.Layers = append(rec.Layers, l)
		rec.DiffIDs = append(rec.DiffIDs, p.LayerInfos[i].DiffID)
		rec.LayerSizes = append(rec.LayerSizes, p.LayerInfos[i].Size)
	}
	top := p.Manifest.Digest
	if p.Index != nil {
		top = p.Index.Digest
	}
	var before []string
	if old, _, err := in.s.resolve(ctx, p.Tag); err == nil && p.Tag != "" {
		before = []string{old.ID.String()}
	}
	c := candidate{rec: rec, small: map[digest.Digest][]byte{}}
	if p.Tag != "" {
		c.tags = []string{p.Tag}
	}
	if err := in.s.commit(ctx, []candidate{c}, in.l); err != nil {
		return "", false, err
	}
	if err := in.s.addRepoDigest(ctx, id, p.Repository+"@"+top.String()); err != nil {
		return "", false, err
	}
	// As Docker, the actor of a pull is the reference pulled.
	pulled := p.Tag
	if pulled == "" {
		pulled = p.Repository + "@" + top.String()
	}
	in.s.emit(events.ActionPull, familiar(pulled), familiar(pulled))
	return id, len(before) == 0 || before[0] != id.String(), nil
}

// LayerWriter receives one layer blob from the network: its bytes are
// hashed into the content store and scanned as a layer as they arrive.
type LayerWriter struct {
	in   *Ingest
	desc ocispec.Descriptor
	w    *content.Writer
	pw   *io.PipeWriter
	scan chan layerScan
}

// NewLayerWriter starts receiving the layer desc names.
func (in *Ingest) NewLayerWriter(ctx context.Context, desc ocispec.Descriptor) (*LayerWriter, error) {
	w, err := in.s.cs.Writer(ctx)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	lw := &LayerWriter{in: in, desc: desc, w: w, pw: pw, scan: make(chan layerScan, 1)}
	go func() { lw.scan <- scanLayer(pr) }()
	return lw, nil
}

// Write appends bytes of the blob.
func (lw *LayerWriter) Write(p []byte) (int, error) {
	n, err := lw.w.Write(p)
	if err != nil {
		return n, err
	}
	return lw.pw.Write(p[:n])
}

// Written is how many bytes were received, where a resumed download starts.
func (lw *LayerWriter) Written() int64 { return lw.w.Size() }

// Commit verifies the blob against its descriptor and publishes it.
func (lw *LayerWriter) Commit(ctx context.Context) (LayerInfo, error) {
	lw.pw.Close()
	sc := <-lw.scan
	lw.in.l.hold(lw.desc.Digest)
	_, created, err := lw.w.Commit(ctx, lw.desc.Digest, lw.desc.Size)
	if created {
		lw.in.l.addCreated(lw.desc.Digest)
	}
	if err != nil {
		return LayerInfo{}, err
	}
	if sc.err != nil {
		return LayerInfo{}, fmt.Errorf("layer %s: %w", lw.desc.Digest, sc.err)
	}
	return layerInfo(sc, lw.desc.Digest), nil
}

// Close discards an uncommitted layer.
func (lw *LayerWriter) Close() error {
	lw.pw.CloseWithError(io.ErrClosedPipe)
	return lw.w.Close()
}
