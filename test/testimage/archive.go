package testimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Options describe a test image.
type Options struct {
	// RepoTags name the image ("busybox:latest", "example.com/a/b:v1");
	// empty makes an untagged image.
	RepoTags []string
	// Layers is the number of layers (at least 1, the default): the first
	// holds the busybox rootfs, layer n>1 adds the file /layer<n> (content
	// "layer <n>\n" plus Salt).
	Layers int
	// Cmd is the image's default command; nil means ["sh"].
	Cmd []string
	// Labels become the config's labels.
	Labels map[string]string
	// Salt is written into every added layer so that two otherwise equal
	// option sets give different images.
	Salt string
	// Gzip compresses the whole archive, as `docker save | gzip` does.
	Gzip bool
}

// built is an image made of blobs, before it is packed into an archive.
type built struct {
	config     []byte
	layers     [][]byte // as stored: uncompressed for docker-archive
	diffIDs    []digest.Digest
	layerMedia string
}

func build(t testing.TB, o Options, gzipLayers bool) built {
	t.Helper()
	if o.Layers < 1 {
		o.Layers = 1
	}
	cmd := o.Cmd
	if cmd == nil {
		cmd = []string{"sh"}
	}
	var b built
	b.layerMedia = ocispec.MediaTypeImageLayer
	if gzipLayers {
		b.layerMedia = ocispec.MediaTypeImageLayerGzip
	}
	img := ocispec.Image{
		Created:  &epoch,
		Platform: ocispec.Platform{Architecture: "amd64", OS: "linux"},
		Config: ocispec.ImageConfig{
			Env:    []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			Cmd:    cmd,
			Labels: o.Labels,
		},
		RootFS: ocispec.RootFS{Type: "layers"},
	}
	for n := 1; n <= o.Layers; n++ {
		var raw []byte
		if n == 1 {
			raw = RootfsTar(t)
		} else {
			raw = tarOf(t, []entry{{name: fmt.Sprintf("layer%d", n), mode: 0o644, typ: tar.TypeReg,
				data: []byte(fmt.Sprintf("layer %d\n%s", n, o.Salt))}})
		}
		b.diffIDs = append(b.diffIDs, digest.FromBytes(raw))
		stored := raw
		if gzipLayers {
			stored = gzipBytes(t, raw)
		}
		b.layers = append(b.layers, stored)
		img.RootFS.DiffIDs = append(img.RootFS.DiffIDs, digest.FromBytes(raw))
		img.History = append(img.History, ocispec.History{Created: &epoch,
			CreatedBy: fmt.Sprintf("testimage layer %d", n)})
	}
	img.History = append(img.History, ocispec.History{Created: &epoch,
		CreatedBy: fmt.Sprintf("CMD %q", cmd), EmptyLayer: true})
	var err error
	if b.config, err = json.Marshal(img); err != nil {
		t.Fatalf("testimage: config: %v", err)
	}
	return b
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatalf("testimage: gzip: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("testimage: gzip: %v", err)
	}
	return buf.Bytes()
}

// ID returns the image ID ("sha256:<hex>", the config digest) that loading
// DockerArchive(t, o) gives.
func ID(t testing.TB, o Options) string {
	t.Helper()
	return digest.FromBytes(build(t, o, false).config).String()
}

// archiveWriter packs files into a tar with reproducible headers.
type archiveWriter struct {
	t   testing.TB
	buf bytes.Buffer
	tw  *tar.Writer
}

func newArchive(t testing.TB) *archiveWriter {
	a := &archiveWriter{t: t}
	a.tw = tar.NewWriter(&a.buf)
	return a
}

func (a *archiveWriter) dir(name string) {
	if err := a.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Typeflag: tar.TypeDir, ModTime: epoch}); err != nil {
		a.t.Fatalf("testimage: archive %s: %v", name, err)
	}
}

func (a *archiveWriter) file(name string, data []byte) {
	hdr := &tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(data)), ModTime: epoch}
	if err := a.tw.WriteHeader(hdr); err != nil {
		a.t.Fatalf("testimage: archive %s: %v", name, err)
	}
	if _, err := a.tw.Write(data); err != nil {
		a.t.Fatalf("testimage: archive %s: %v", name, err)
	}
}

func (a *archiveWriter) json(name string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		a.t.Fatalf("testimage: %s: %v", name, err)
	}
	a.file(name, b)
}

func (a *archiveWriter) bytes(compress bool) []byte {
	if err := a.tw.Close(); err != nil {
		a.t.Fatalf("testimage: archive: %v", err)
	}
	if compress {
		return gzipBytes(a.t, a.buf.Bytes())
	}
	return a.buf.Bytes()
}

// DockerArchive returns a docker-archive in the classic `docker save` layout:
// manifest.json, repositories, <config hex>.json and <diffID hex>/layer.tar.
func DockerArchive(t testing.TB, o Options) []byte {
	t.Helper()
	b := build(t, o, false)
	cfg := digest.FromBytes(b.config)
	a := newArchive(t)
	var layerPaths []string
	for i, l := range b.layers {
		dir := b.diffIDs[i].Encoded()
		a.dir(dir + "/")
		a.file(dir+"/VERSION", []byte("1.0"))
		a.file(dir+"/layer.tar", l)
		layerPaths = append(layerPaths, dir+"/layer.tar")
	}
	a.file(cfg.Encoded()+".json", b.config)
	tags := o.RepoTags
	if tags == nil {
		tags = []string{}
	}
	a.json("manifest.json", []map[string]any{{"Config": cfg.Encoded() + ".json", "RepoTags": tags, "Layers": layerPaths}})
	repos := map[string]map[string]string{}
	top := b.diffIDs[len(b.diffIDs)-1].Encoded()
	for _, rt := range o.RepoTags {
		repo, tag, _ := strings.Cut(rt, ":")
		if i := strings.LastIndex(rt, ":"); i > strings.LastIndex(rt, "/") {
			repo, tag = rt[:i], rt[i+1:]
		}
		if repos[repo] == nil {
			repos[repo] = map[string]string{}
		}
		repos[repo][tag] = top
	}
	if len(repos) > 0 {
		a.json("repositories", repos)
	}
	return a.bytes(o.Gzip)
}

// OCIArchive returns an OCI image-layout tar (oci-layout, index.json,
// blobs/sha256/…) with gzip-compressed layers, one index entry per tag as
// Docker 25+ writes them (annotations io.containerd.image.name with the full
// name and org.opencontainers.image.ref.name with the tag).
func OCIArchive(t testing.TB, o Options) []byte {
	t.Helper()
	b := build(t, o, true)
	a := newArchive(t)
	a.json("oci-layout", ocispec.ImageLayout{Version: ocispec.ImageLayoutVersion})
	a.dir("blobs/")
	a.dir("blobs/sha256/")
	blob := func(data []byte, media string) ocispec.Descriptor {
		d := digest.FromBytes(data)
		a.file("blobs/sha256/"+d.Encoded(), data)
		return ocispec.Descriptor{MediaType: media, Digest: d, Size: int64(len(data))}
	}
	m := ocispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest}
	m.Config = blob(b.config, ocispec.MediaTypeImageConfig)
	for _, l := range b.layers {
		m.Layers = append(m.Layers, blob(l, b.layerMedia))
	}
	mb, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("testimage: manifest: %v", err)
	}
	md := blob(mb, ocispec.MediaTypeImageManifest)
	idx := ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex}
	for _, rt := range o.RepoTags {
		named, err := reference.ParseNormalizedNamed(rt)
		if err != nil {
			t.Fatalf("testimage: tag %q: %v", rt, err)
		}
		named = reference.TagNameOnly(named)
		d := md
		d.Annotations = map[string]string{
			"io.containerd.image.name": named.String(),
			ocispec.AnnotationRefName:  named.(reference.Tagged).Tag(),
		}
		idx.Manifests = append(idx.Manifests, d)
	}
	if len(idx.Manifests) == 0 {
		idx.Manifests = []ocispec.Descriptor{md}
	}
	a.json("index.json", idx)
	return a.bytes(o.Gzip)
}
