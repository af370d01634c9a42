package registry

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	registrytypes "github.com/moby/moby/api/types/registry"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// PushOptions are push's options.
type PushOptions struct {
	// All pushes every tag of the repository (push -a).
	All  bool
	Auth registrytypes.AuthConfig
}

// PushResult is the aux message Docker sends after each pushed tag.
type PushResult struct {
	Tag    string `json:"Tag"`
	Digest string `json:"Digest"`
	Size   int64  `json:"Size"`
}

// Push sends the image NAME[:TAG] (or, with All, every tag of NAME) to its
// registry: blobs the registry has are skipped, blobs another repository
// of the same registry has (known from the image's RepoDigests) are
// mounted, the rest uploaded; the manifest goes last, so the tag never
// names an incomplete image. A pulled multi-arch index is pushed as such
// when the registry holds (or can mount) its other platforms.
func (s *Service) Push(ctx context.Context, name string, opts PushOptions, progress ProgressFunc) error {
	ref, err := parseRef(name, !opts.All)
	if err != nil {
		return err
	}
	if ref.digest != "" {
		return fmt.Errorf("cannot push a digest reference %q: push a tag: %w", name, errdefs.ErrInvalidArgument)
	}
	if opts.All && ref.tag != "" {
		return fmt.Errorf("tag can't be used with --all-tags/-a: %w", errdefs.ErrInvalidArgument)
	}
	images, err := s.images.Pushables(ctx, ref.named.String(), opts.All)
	if err != nil {
		if errdefs.IsNotFound(err) {
			return fmt.Errorf("an image does not exist locally with the tag: %s: %w", ref.familiarRepo(), errdefs.ErrNotFound)
		}
		return err
	}
	rep := newReporter(progress)
	rep.status("", "The push refers to repository ["+ref.repo()+"]")
	for _, img := range images {
		if err := s.pushImage(ctx, ref, img, opts.Auth, rep); err != nil {
			return err
		}
	}
	return nil
}

// mountSources are repositories of the target's registry that have the
// image's blobs: those it was pulled from or pushed to.
func mountSources(ref imageRef, img image.Pushable) []string {
	var out []string
	for _, rd := range img.RepoDigests {
		n, err := reference.ParseNormalizedNamed(rd)
		if err != nil || reference.Domain(n) != ref.domain || reference.Path(n) == ref.path {
			continue
		}
		out = append(out, reference.Path(n))
	}
	return out
}

func (s *Service) pushImage(ctx context.Context, ref imageRef, img image.Pushable, auth registrytypes.AuthConfig, rep *reporter) error {
	tr, err := reference.ParseNormalizedNamed(img.Tag)
	if err != nil {
		return invalid(err)
	}
	tag := reference.TagNameOnly(tr).(reference.Tagged).Tag()
	sources := mountSources(ref, img)
	scopes := []string{pushScope(ref.path)}
	for _, src := range sources {
		scopes = append(scopes, pullScope(src))
	}
	ep, err := s.connect(ctx, ref.host, auth, scopes)
	if err != nil {
		return err
	}
	// An image pulled through an index is pushed byte for byte, so that
	// the index still names its manifest; others get gzipped layers.
	gzipLayers := img.Index == nil && s.gzipDir() != ""
	layers, made, err := s.pushBlobs(ctx, ep, ref.path, img.Layers, img.Manifest.MediaType, gzipLayers, sources, rep)
	defer func() {
		for _, f := range made {
			os.Remove(f)
		}
	}()
	if err != nil {
		return err
	}
	// The config is not shown in Docker's progress.
	if err := s.pushBlob(ctx, ep, ref.path, img.Config, sources, nil); err != nil {
		return err
	}
	raw, err := s.images.ReadBlob(ctx, img.Manifest.Digest)
	if err != nil {
		return err
	}
	if !slices.EqualFunc(layers, img.Layers, func(a, b ocispec.Descriptor) bool { return a.Digest == b.Digest }) {
		if raw, img.Manifest, err = rewriteManifest(raw, img.Manifest.MediaType, layers); err != nil {
			return err
		}
	}
	top, err := s.pushManifests(ctx, ep, ref.path, tag, img, raw, sources)
	if err != nil {
		return err
	}
	rep.status("", fmt.Sprintf("%s: digest: %s size: %d", tag, top.Digest, top.Size))
	rep.send(Progress{Aux: PushResult{Tag: tag, Digest: top.Digest.String(), Size: top.Size}})
	return s.images.RecordPush(ctx, img.ID, img.Tag, ref.repo()+"@"+top.Digest.String())
}

// pushBlobs pushes layers, layerJobs at a time, gzipping the uncompressed
// ones when gzipLayers is set. It returns the layers as pushed and the
// compressed files it made.
func (s *Service) pushBlobs(ctx context.Context, ep *endpoint, path string, blobs []ocispec.Descriptor, manifestType string, gzipLayers bool, sources []string, rep *reporter) ([]ocispec.Descriptor, []string, error) {
	for _, b := range blobs {
		rep.status(shortID(b.Digest), "Preparing")
	}
	pushed := slices.Clone(blobs)
	made := make([]string, len(blobs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, layerJobs)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for i, b := range blobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			var err error
			if gzipLayers && isUncompressedLayer(b.MediaType) {
				pushed[i], made[i], err = s.gzippedLayer(ctx, ep, path, b, manifestType)
			}
			if err == nil {
				err = s.pushBlob(ctx, ep, path, pushed[i], sources, rep)
			}
			if err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return pushed, slices.DeleteFunc(made, func(f string) bool { return f == "" }), first
}

// pushBlob makes one blob present in the repository: it is there already,
// or mounted from a source repository, or uploaded in one PUT.
func (s *Service) pushBlob(ctx context.Context, ep *endpoint, path string, d ocispec.Descriptor, sources []string, rep *reporter) error {
	id := shortID(d.Digest)
	show := func(status string) {
		if rep != nil {
			rep.status(id, status)
		}
	}
	if ok, err := ep.hasBlob(ctx, path, d.Digest); err != nil {
		return err
	} else if ok {
		show("Layer already exists")
		return nil
	}
	// A mount names one source; when the registry cannot mount from it,
	// it opens a plain upload instead, which is used. An upload cut by a
	// transient failure starts again, a bounded number of times.
	var q url.Values
	if len(sources) > 0 {
		q = url.Values{"mount": {d.Digest.String()}, "from": {sources[0]}}
	}
	var err error
	for attempt := 0; attempt < blobAttempts; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
		var loc string
		var mounted bool
		if loc, mounted, err = ep.startUpload(ctx, path, q); err != nil {
			return err
		}
		if mounted {
			show("Mounted from " + sources[0])
			return nil
		}
		if err = s.upload(ctx, ep, loc, d, id, rep); err == nil || !errdefs.IsUnavailable(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (e *endpoint) hasBlob(ctx context.Context, path string, d digest.Digest) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, e.url("/v2/%s/blobs/%s", path, d), nil)
	if err != nil {
		return false, invalid(err)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return false, classify(e.host, err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, checkResponse(e.host, resp, http.StatusOK, http.StatusNotFound)
}

// startUpload opens an upload session (or mounts: 201); it returns where
// to send the bytes.
func (e *endpoint) startUpload(ctx context.Context, path string, q url.Values) (string, bool, error) {
	u := e.url("/v2/%s/blobs/uploads/", path)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return "", false, invalid(err)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return "", false, classify(e.host, err)
	}
	defer resp.Body.Close()
	if err := checkResponse(e.host, resp, http.StatusCreated, http.StatusAccepted); err != nil {
		return "", false, err
	}
	if resp.StatusCode == http.StatusCreated {
		return "", true, nil
	}
	loc, err := resp.Location()
	if err != nil {
		return "", false, fmt.Errorf("registry %s opened an upload without a location: %w", e.host, errdefs.ErrUnavailable)
	}
	return loc.String(), false, nil
}

// upload sends a stored blob in one PUT, with progress.
func (s *Service) upload(ctx context.Context, ep *endpoint, loc string, d ocispec.Descriptor, id string, rep *reporter) error {
	blob, size, err := s.openForPush(ctx, d.Digest)
	if err != nil {
		return err
	}
	defer blob.Close()
	u, err := url.Parse(loc)
	if err != nil {
		return fmt.Errorf("registry %s gave upload location %q: %w", ep.host, loc, errdefs.ErrUnavailable)
	}
	q := u.Query()
	q.Set("digest", d.Digest.String())
	u.RawQuery = q.Encode()
	var body io.Reader = blob
	if rep != nil {
		body = &countingReader{r: body, c: &byteCounter{r: rep, id: id, status: "Pushing", total: size}}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), body)
	if err != nil {
		return invalid(err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := ep.client.Do(req)
	if err != nil {
		return classify(ep.host, err)
	}
	defer resp.Body.Close()
	if err := checkResponse(ep.host, resp, http.StatusCreated); err != nil {
		return err
	}
	if rep != nil {
		rep.status(id, "Pushed")
	}
	return nil
}

type countingReader struct {
	r io.Reader
	c *byteCounter
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.c.add(n)
	return n, err
}

// putManifest uploads a manifest or index under a tag or digest.
func (e *endpoint) putManifest(ctx context.Context, path, object string, desc ocispec.Descriptor, raw []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, e.url("/v2/%s/manifests/%s", path, object), strings.NewReader(string(raw)))
	if err != nil {
		return invalid(err)
	}
	req.ContentLength = int64(len(raw))
	req.Header.Set("Content-Type", desc.MediaType)
	resp, err := e.client.Do(req)
	if err != nil {
		return classify(e.host, err)
	}
	defer resp.Body.Close()
	return checkResponse(e.host, resp, http.StatusCreated, http.StatusOK, http.StatusAccepted)
}
