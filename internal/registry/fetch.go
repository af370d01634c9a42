package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Media types of manifests and indexes berth reads.
const (
	dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
	dockerManifest     = "application/vnd.docker.distribution.manifest.v2+json"
	// maxManifest bounds what a registry can make berth hold in memory.
	maxManifest = 4 << 20
	// blobAttempts bounds the retries of one blob: a registry that keeps
	// failing fails the pull after a few seconds, without a retry storm.
	blobAttempts = 4
	// stallTimeout is how long a blob download may receive nothing.
	stallTimeout = 30 * time.Second
)

var manifestAccept = strings.Join([]string{
	ocispec.MediaTypeImageIndex, ocispec.MediaTypeImageManifest, dockerManifestList, dockerManifest,
}, ", ")

func isIndex(mt string) bool    { return mt == ocispec.MediaTypeImageIndex || mt == dockerManifestList }
func isManifest(mt string) bool { return mt == ocispec.MediaTypeImageManifest || mt == dockerManifest }

// fetched is a manifest or index as the registry served it, verified.
type fetched struct {
	raw  []byte
	desc ocispec.Descriptor
}

// getManifest fetches a manifest or index by tag or digest. Its bytes are
// checked against the digest asked for, or, by tag, against the digest the
// registry announces; a type berth cannot read is refused.
func (e *endpoint) getManifest(ctx context.Context, path, object string) (fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.url("/v2/%s/manifests/%s", path, object), nil)
	if err != nil {
		return fetched{}, invalid(err)
	}
	req.Header.Set("Accept", manifestAccept)
	resp, err := e.client.Do(req)
	if err != nil {
		return fetched{}, classify(e.host, err)
	}
	defer resp.Body.Close()
	if err := checkResponse(e.host, resp, http.StatusOK); err != nil {
		if errdefs.IsNotFound(err) {
			return fetched{}, fmt.Errorf("manifest for %s/%s:%s not found: manifest unknown: %w", e.host, path, object, errdefs.ErrNotFound)
		}
		return fetched{}, err
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxManifest+1))
	if err != nil {
		return fetched{}, classify(e.host, err)
	}
	if len(raw) > maxManifest {
		return fetched{}, fmt.Errorf("manifest %s of %s is larger than %d bytes: %w", object, path, maxManifest, errdefs.ErrInvalidArgument)
	}
	mt := resp.Header.Get("Content-Type")
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	if !isIndex(mt) && !isManifest(mt) {
		if sniffed := sniffMediaType(raw); sniffed != "" {
			mt = sniffed
		} else {
			return fetched{}, fmt.Errorf("%s/%s:%s has media type %q, which berth does not support (only OCI and Docker schema 2 manifests and indexes): %w", e.host, path, object, mt, errdefs.ErrNotImplemented)
		}
	}
	want := object
	if _, err := digest.Parse(object); err != nil {
		want = resp.Header.Get("Docker-Content-Digest")
	}
	got := digest.FromBytes(raw)
	if want != "" {
		wd, err := digest.Parse(want)
		if err != nil {
			return fetched{}, fmt.Errorf("registry %s announced an invalid digest %q: %w", e.host, want, errdefs.ErrInvalidArgument)
		}
		if wd.Algorithm().FromBytes(raw) != wd {
			return fetched{}, fmt.Errorf("manifest %s/%s:%s does not match its digest %s: rejected: %w", e.host, path, object, wd, errdefs.ErrInvalidArgument)
		}
		got = wd
	}
	return fetched{raw: raw, desc: ocispec.Descriptor{MediaType: mt, Digest: got, Size: int64(len(raw))}}, nil
}

// sniffMediaType reads the mediaType field of a manifest served with a
// generic Content-Type; schema 1 and unknown types give "".
func sniffMediaType(raw []byte) string {
	var probe struct {
		MediaType string `json:"mediaType"`
	}
	if json.Unmarshal(raw, &probe) == nil && (isIndex(probe.MediaType) || isManifest(probe.MediaType)) {
		return probe.MediaType
	}
	return ""
}

// getSmallBlob fetches a config blob into memory, verified.
func (e *endpoint) getSmallBlob(ctx context.Context, path string, desc ocispec.Descriptor) ([]byte, error) {
	if desc.Size > maxManifest {
		return nil, fmt.Errorf("blob %s is larger than %d bytes: %w", desc.Digest, maxManifest, errdefs.ErrInvalidArgument)
	}
	var buf bytes.Buffer
	if err := e.fetchBlob(ctx, path, desc, &countingBuffer{b: &buf}, nil); err != nil {
		return nil, err
	}
	if desc.Digest.Algorithm().FromBytes(buf.Bytes()) != desc.Digest || int64(buf.Len()) != desc.Size {
		return nil, fmt.Errorf("blob %s from %s does not match its digest: rejected: %w", desc.Digest, e.host, errdefs.ErrInvalidArgument)
	}
	return buf.Bytes(), nil
}

// blobSink receives a blob; Written is where a resumed download starts.
type blobSink interface {
	io.Writer
	Written() int64
}

type countingBuffer struct{ b *bytes.Buffer }

func (c *countingBuffer) Write(p []byte) (int, error) { return c.b.Write(p) }
func (c *countingBuffer) Written() int64              { return int64(c.b.Len()) }

// backoff waits before a blob's next attempt (none before the first):
// 0.25 s, 1 s, 2.25 s..., or until ctx ends.
func backoff(ctx context.Context, attempt int) error {
	if attempt == 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Duration(attempt*attempt) * 250 * time.Millisecond):
		return nil
	}
}

// fetchBlob downloads a blob into w. A transfer cut short is resumed with
// a Range request from what w already has (or, when the registry ignores
// ranges, the bytes already received are skipped), a bounded number of
// times with backoff. The caller verifies the digest.
func (e *endpoint) fetchBlob(ctx context.Context, path string, desc ocispec.Descriptor, w blobSink, count *byteCounter) error {
	var err error
	for attempt := 0; attempt < blobAttempts; attempt++ {
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
		var retry bool
		retry, err = e.fetchOnce(ctx, path, desc, w, count)
		if err == nil || !retry {
			break
		}
	}
	if err != nil {
		return err
	}
	if w.Written() != desc.Size {
		return fmt.Errorf("blob %s from %s is truncated: got %d of %d bytes: %w", desc.Digest, e.host, w.Written(), desc.Size, errdefs.ErrInvalidArgument)
	}
	return nil
}

// fetchOnce makes one request; retry says whether the failure is transient.
func (e *endpoint) fetchOnce(ctx context.Context, path string, desc ocispec.Descriptor, w blobSink, count *byteCounter) (retry bool, err error) {
	// A body that stops flowing for stallTimeout is cut, and the blob
	// resumed: the header timeout does not cover a stalled body.
	reqCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stall := time.AfterFunc(stallTimeout, cancel)
	defer stall.Stop()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, e.url("/v2/%s/blobs/%s", path, desc.Digest), nil)
	if err != nil {
		return false, invalid(err)
	}
	have := w.Written()
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return ctx.Err() == nil, classify(e.host, err)
	}
	defer resp.Body.Close()
	if err := checkResponse(e.host, resp, http.StatusOK, http.StatusPartialContent); err != nil {
		return resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests, err
	}
	body := io.Reader(resp.Body)
	if have > 0 && resp.StatusCode == http.StatusOK {
		// The registry ignored the range: skip what we already have.
		if _, err := io.CopyN(io.Discard, body, have); err != nil {
			return true, fmt.Errorf("blob %s: %w", desc.Digest, err)
		}
	}
	// One byte more than the descriptor says is enough to know it lies.
	limited := io.LimitReader(body, desc.Size-have+1)
	buf := make([]byte, 256<<10)
	for {
		n, rerr := limited.Read(buf)
		stall.Reset(stallTimeout)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return false, werr
			}
			if count != nil {
				count.add(n)
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return ctx.Err() == nil, fmt.Errorf("download blob %s from %s: %v: %w", desc.Digest, e.host, rerr, errdefs.ErrUnavailable)
		}
	}
	if w.Written() > desc.Size {
		return false, fmt.Errorf("blob %s from %s is larger than its descriptor says (%d bytes): rejected: %w", desc.Digest, e.host, desc.Size, errdefs.ErrInvalidArgument)
	}
	if w.Written() < desc.Size {
		return true, fmt.Errorf("blob %s from %s is truncated: got %d of %d bytes: %w", desc.Digest, e.host, w.Written(), desc.Size, errdefs.ErrInvalidArgument)
	}
	return false, nil
}
