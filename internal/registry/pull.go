package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
	registrytypes "github.com/moby/moby/api/types/registry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// PullOptions are pull's options.
type PullOptions struct {
	// Platform is os[/arch[/variant]]; "" selects the host's.
	Platform string
	// All pulls every tag of the repository.
	All  bool
	Auth registrytypes.AuthConfig
}

// layerJobs is how many layers download at once (Docker's default is 3;
// a loopback or LAN registry is bound by verification, which this spreads
// over the cores).
const layerJobs = 4

// Pull fetches name (NAME[:TAG|@DIGEST]) and records it in the image
// store. Nothing is recorded unless every blob arrived and matched its digest.
func (s *Service) Pull(ctx context.Context, name string, opts PullOptions, progress ProgressFunc) error {
	plat, err := ParsePlatform(opts.Platform)
	if err != nil {
		return err
	}
	ref, err := parseRef(name, !opts.All)
	if err != nil {
		return err
	}
	rep := newReporter(progress)
	if !opts.All {
		return s.pullRef(ctx, ref, plat, opts.Auth, rep)
	}
	if ref.tag != "" || ref.digest != "" {
		return fmt.Errorf("tag can't be used with --all-tags/-a: %w", errdefs.ErrInvalidArgument)
	}
	tags, err := s.listTags(ctx, ref, opts.Auth)
	if err != nil {
		return err
	}
	for _, t := range tags {
		tr, err := parseRef(ref.named.Name()+":"+t, true)
		if err != nil {
			return err
		}
		if err := s.pullRef(ctx, tr, plat, opts.Auth, rep); err != nil {
			return err
		}
	}
	return nil
}

// pullRef pulls one reference, from Docker Hub's mirrors first when it is
// a Hub image.
func (s *Service) pullRef(ctx context.Context, ref imageRef, plat ocispec.Platform, auth registrytypes.AuthConfig, rep *reporter) error {
	defer s.lockPull(ref.named.String())()
	if ref.domain == hubDomain {
		for _, m := range s.mirrors {
			err := s.pullFrom(ctx, m.Host, ref, plat, auth, rep)
			if err == nil || ctx.Err() != nil {
				return err
			}
			slog.WarnContext(ctx, "pull from mirror failed; trying the next source", "mirror", m.String(), "image", ref.familiar(), "error", err)
		}
	}
	return s.pullFrom(ctx, ref.host, ref, plat, auth, rep)
}

// pullFrom pulls ref from host.
func (s *Service) pullFrom(ctx context.Context, host string, ref imageRef, plat ocispec.Platform, auth registrytypes.AuthConfig, rep *reporter) error {
	ep, err := s.connect(ctx, host, auth, []string{pullScope(ref.path)})
	if err != nil {
		return err
	}
	top, err := ep.getManifest(ctx, ref.path, ref.object())
	if err != nil {
		return err
	}
	man, index := top, (*fetched)(nil)
	if isIndex(top.desc.MediaType) {
		var idx ocispec.Index
		if err := json.Unmarshal(top.raw, &idx); err != nil {
			return fmt.Errorf("image index %s is not valid: %v: %w", top.desc.Digest, err, errdefs.ErrInvalidArgument)
		}
		child, err := selectManifest(idx, plat)
		if err != nil {
			return err
		}
		if man, err = ep.getManifest(ctx, ref.path, child.Digest.String()); err != nil {
			return err
		}
		if !isManifest(man.desc.MediaType) {
			return fmt.Errorf("index %s names %s as an image manifest but it is %q: %w", top.desc.Digest, child.Digest, man.desc.MediaType, errdefs.ErrInvalidArgument)
		}
		index = &top
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(man.raw, &m); err != nil {
		return fmt.Errorf("manifest %s is not valid: %v: %w", man.desc.Digest, err, errdefs.ErrInvalidArgument)
	}
	if err := checkLayerTypes(m); err != nil {
		return err
	}
	// Errors until here are plain API errors; progress starts now.
	if ref.tag != "" {
		rep.status(ref.tag, "Pulling from "+ref.path)
	} else {
		rep.status(ref.digest, "Pulling from "+ref.path)
	}
	in := s.images.NewIngest()
	defer in.Close(context.WithoutCancel(ctx))
	cfgRaw, err := s.pullConfig(ctx, ep, ref.path, m.Config, in)
	if err != nil {
		return err
	}
	infos, err := s.pullLayers(ctx, ep, ref.path, m.Layers, in, rep)
	if err != nil {
		return err
	}
	if err := in.PutBlob(ctx, man.desc, man.raw); err != nil {
		return err
	}
	p := image.PulledImage{Repository: ref.repo(), Manifest: man.desc, Config: m.Config, ConfigRaw: cfgRaw, Layers: m.Layers, LayerInfos: infos}
	if index != nil {
		if err := in.PutBlob(ctx, index.desc, index.raw); err != nil {
			return err
		}
		p.Index = &index.desc
	}
	if ref.tag != "" {
		p.Tag = ref.named.String()
	}
	_, changed, err := in.Commit(ctx, p)
	if err != nil {
		return err
	}
	s.dropFinished(m.Layers)
	rep.status("", "Digest: "+top.desc.Digest.String())
	if changed {
		rep.status("", "Status: Downloaded newer image for "+ref.familiar())
	} else {
		rep.status("", "Status: Image is up to date for "+ref.familiar())
	}
	return nil
}

// checkLayerTypes refuses layers berth cannot unpack (foreign layers are
// fetched like any other: berth does not skip them).
func checkLayerTypes(m ocispec.Manifest) error {
	for _, l := range m.Layers {
		switch l.MediaType {
		case ocispec.MediaTypeImageLayer, ocispec.MediaTypeImageLayerGzip, ocispec.MediaTypeImageLayerZstd,
			"application/vnd.docker.image.rootfs.diff.tar.gzip", "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
			"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "application/vnd.oci.image.layer.nondistributable.v1.tar":
		default:
			return fmt.Errorf("layer %s has media type %q, which berth does not support: %w", l.Digest, l.MediaType, errdefs.ErrNotImplemented)
		}
	}
	return nil
}

// pullConfig returns the image config, from the store or the registry.
func (s *Service) pullConfig(ctx context.Context, ep *endpoint, path string, desc ocispec.Descriptor, in *image.Ingest) ([]byte, error) {
	if _, ok := in.Reuse(ctx, desc, false); ok {
		if raw, err := s.images.ReadBlob(ctx, desc.Digest); err == nil {
			return raw, nil
		}
	}
	raw, err := ep.getSmallBlob(ctx, path, desc)
	if err != nil {
		return nil, err
	}
	return raw, in.PutBlob(ctx, desc, raw)
}

// pullLayers reuses the layers the store has and fetches the others,
// layerJobs at a time.
func (s *Service) pullLayers(ctx context.Context, ep *endpoint, path string, layers []ocispec.Descriptor, in *image.Ingest, rep *reporter) ([]image.LayerInfo, error) {
	infos := make([]image.LayerInfo, len(layers))
	reused := make([]bool, len(layers))
	for i, l := range layers {
		if infos[i], reused[i] = in.Reuse(ctx, l, true); reused[i] {
			rep.status(shortID(l.Digest), "Already exists")
		} else {
			rep.status(shortID(l.Digest), "Pulling fs layer")
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(layers))
	sem := make(chan struct{}, layerJobs)
	var wg sync.WaitGroup
	for i, l := range layers {
		if reused[i] {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			infos[i], errs[i] = s.pullLayer(ctx, ep, path, l, in, rep)
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	// The first real failure, not the cancellations it caused.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	return infos, errors.Join(errs...)
}

// pullLayer fetches one layer into the store, or stores it from what an
// interrupted pull left.
func (s *Service) pullLayer(ctx context.Context, ep *endpoint, path string, desc ocispec.Descriptor, in *image.Ingest, rep *reporter) (image.LayerInfo, error) {
	id := shortID(desc.Digest)
	if li, ok := s.resumeFinished(ctx, desc, in); ok {
		rep.status(id, "Download complete")
		rep.status(id, "Pull complete")
		return li, nil
	}
	lw, err := in.NewLayerWriter(ctx, desc)
	if err != nil {
		return image.LayerInfo{}, err
	}
	defer lw.Close()
	count := &byteCounter{r: rep, id: id, status: "Downloading", total: desc.Size}
	if err := ep.fetchBlob(ctx, path, desc, lw, count); err != nil {
		return image.LayerInfo{}, err
	}
	rep.status(id, "Verifying Checksum")
	li, err := lw.Commit(ctx)
	if err != nil {
		return image.LayerInfo{}, fmt.Errorf("layer %s from %s: %w", desc.Digest, ep.host, err)
	}
	rep.status(id, "Download complete")
	s.keepFinished(ctx, desc)
	rep.status(id, "Pull complete")
	return li, nil
}

// listTags lists a repository's tags.
func (s *Service) listTags(ctx context.Context, ref imageRef, auth registrytypes.AuthConfig) ([]string, error) {
	ep, err := s.connect(ctx, ref.host, auth, []string{pullScope(ref.path)})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep.url("/v2/%s/tags/list", ref.path), nil)
	if err != nil {
		return nil, invalid(err)
	}
	resp, err := ep.client.Do(req)
	if err != nil {
		return nil, classify(ep.host, err)
	}
	defer resp.Body.Close()
	if err := checkResponse(ep.host, resp, http.StatusOK); err != nil {
		return nil, err
	}
	var tl struct {
		Tags []string `json:"tags"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tl); err != nil {
		return nil, fmt.Errorf("tag list of %s: %v: %w", ref.repo(), err, errdefs.ErrInvalidArgument)
	}
	return tl.Tags, nil
}
