package image

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/berthproject/berth/test/testimage"
	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestLoadDockerArchive(t *testing.T) {
	ctx := context.Background()
	for _, gz := range []bool{false, true} {
		svc, _ := newTestService(t)
		o := testimage.Options{RepoTags: []string{"busybox:latest", "example.com/x/bb:v1"}, Layers: 3, Gzip: gz}
		loaded, err := svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, o)))
		if err != nil {
			t.Fatalf("Load(gzip=%v): %v", gz, err)
		}
		if diff := cmp.Diff([]string{"busybox:latest", "example.com/x/bb:v1"}, loaded); diff != "" {
			t.Errorf("loaded names (-want +got):\n%s", diff)
		}
		ins, err := svc.Inspect(ctx, "busybox")
		if err != nil {
			t.Fatal(err)
		}
		if ins.ID != testimage.ID(t, o) {
			t.Errorf("ID %s, want the config digest %s", ins.ID, testimage.ID(t, o))
		}
		if ins.Os != "linux" || ins.Architecture != "amd64" || ins.RootFS.Type != "layers" || len(ins.RootFS.Layers) != 3 {
			t.Errorf("inspect: os %q arch %q rootfs %+v", ins.Os, ins.Architecture, ins.RootFS)
		}
		if ins.Size < 1<<20 || ins.Config == nil || !slices.Equal(ins.Config.Cmd, []string{"sh"}) {
			t.Errorf("inspect: size %d config %+v", ins.Size, ins.Config)
		}
		if len(ins.RepoDigests) != 0 {
			t.Errorf("docker-archive image has RepoDigests %v; Docker gives none", ins.RepoDigests)
		}
		list, err := svc.List(ctx, ListOptions{})
		if err != nil || len(list) != 1 || len(list[0].RepoTags) != 2 || list[0].Size != ins.Size {
			t.Fatalf("List = %+v, %v", list, err)
		}
		hist, err := svc.History(ctx, "example.com/x/bb:v1")
		if err != nil {
			t.Fatal(err)
		}
		// Three layers plus the empty CMD entry, newest first.
		if len(hist) != 4 || hist[0].ID != ins.ID || hist[0].Size != 0 || hist[1].Size == 0 || hist[3].ID != "<missing>" {
			t.Errorf("History = %+v", hist)
		}
	}
}

func TestLoadOCIArchiveKeepsManifest(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	archive := testimage.OCIArchive(t, testimage.Options{RepoTags: []string{"oci/img:1", "oci/img:2"}, Layers: 2})
	loaded, err := svc.Load(ctx, bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"oci/img:1", "oci/img:2"}, loaded); diff != "" {
		t.Errorf("loaded (-want +got):\n%s", diff)
	}
	var idx ocispec.Index
	json.Unmarshal(members(t, archive)["index.json"], &idx)
	want := idx.Manifests[0].Digest
	ins, err := svc.Inspect(ctx, "oci/img:2")
	if err != nil {
		t.Fatal(err)
	}
	if ins.Descriptor == nil || ins.Descriptor.Digest != want {
		t.Errorf("manifest digest %v, want %s", ins.Descriptor, want)
	}
	if !slices.Equal(ins.RepoDigests, []string{"oci/img@" + want.String()}) {
		t.Errorf("RepoDigests %v", ins.RepoDigests)
	}
	if _, err := svc.Inspect(ctx, "oci/img@"+want.String()); err != nil {
		t.Errorf("inspect by digest: %v", err)
	}
}

// TestRoundTrips loads, saves and loads again in a fresh store, in both
// formats: IDs and manifest digests must not change.
func TestRoundTrips(t *testing.T) {
	ctx := context.Background()
	sources := map[string][]byte{
		"docker-archive": testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"rt:d"}, Layers: 2}),
		"oci-archive":    testimage.OCIArchive(t, testimage.Options{RepoTags: []string{"rt:o"}, Layers: 2}),
	}
	for srcName, src := range sources {
		for _, format := range []SaveFormat{DockerArchive, OCIArchive} {
			svc, _ := newTestService(t)
			names, err := svc.Load(ctx, bytes.NewReader(src))
			if err != nil {
				t.Fatal(err)
			}
			first, _ := svc.Inspect(ctx, names[0])
			var out bytes.Buffer
			if err := svc.Save(ctx, names, format, &out); err != nil {
				t.Fatalf("%s → %s: Save: %v", srcName, format, err)
			}
			var again bytes.Buffer
			svc.Save(ctx, names, format, &again)
			if !bytes.Equal(out.Bytes(), again.Bytes()) {
				t.Errorf("%s → %s: two saves differ", srcName, format)
			}
			svc2, _ := newTestService(t)
			names2, err := svc2.Load(ctx, bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatalf("%s → %s: reload: %v", srcName, format, err)
			}
			if !slices.Equal(names, names2) {
				t.Errorf("%s → %s: names %v then %v", srcName, format, names, names2)
			}
			second, _ := svc2.Inspect(ctx, names[0])
			if first.ID != second.ID || first.Descriptor.Digest != second.Descriptor.Digest {
				t.Errorf("%s → %s: id %s→%s manifest %s→%s", srcName, format, first.ID, second.ID, first.Descriptor.Digest, second.Descriptor.Digest)
			}
			if format == OCIArchive {
				if _, ok := members(t, out.Bytes())["manifest.json"]; ok {
					t.Errorf("oci-archive has a manifest.json")
				}
			}
		}
	}
}

func TestLoadLegacyRepositoriesAndUntagged(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	arch := testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"legacy/repo:v2"}, Salt: "legacy"})
	// Drop the tags from manifest.json: only "repositories" names the image.
	arch = rewriteTar(t, arch, func(h *tar.Header, body []byte) ([]byte, bool) {
		if h.Name == "manifest.json" {
			var m []dockerManifestEntry
			json.Unmarshal(body, &m)
			m[0].RepoTags = nil
			body, _ = json.Marshal(m)
		}
		return body, true
	})
	loaded, err := svc.Load(ctx, bytes.NewReader(arch))
	if err != nil || !slices.Equal(loaded, []string{"legacy/repo:v2"}) {
		t.Fatalf("Load = %v, %v", loaded, err)
	}
	untagged := testimage.DockerArchive(t, testimage.Options{Salt: "untagged", Layers: 2})
	loaded, err = svc.Load(ctx, bytes.NewReader(untagged))
	id := testimage.ID(t, testimage.Options{Salt: "untagged", Layers: 2})
	if err != nil || !slices.Equal(loaded, []string{id}) {
		t.Fatalf("Load untagged = %v, %v; want [%s]", loaded, err, id)
	}
	dangling, _ := svc.List(ctx, ListOptions{Filters: map[string][]string{"dangling": {"true"}}})
	if len(dangling) != 1 || dangling[0].ID != id || len(dangling[0].RepoTags) != 0 {
		t.Errorf("dangling = %+v", dangling)
	}
}

// TestLoadSymlinkedAndZstdLayers: classic `docker save` stores a layer that
// two images share once and symlinks the second copy; layers may also be
// zstd-compressed (the diffID is then of the decompressed tar).
func TestLoadSymlinkedAndZstdLayers(t *testing.T) {
	ctx := context.Background()
	base := makeTar(t, []tarEntry{{Name: "base", Body: []byte("shared")}})
	top := makeTar(t, []tarEntry{{Name: "top", Body: []byte("zstd layer")}})
	var zbuf bytes.Buffer
	zw, _ := zstd.NewWriter(&zbuf)
	zw.Write(top)
	zw.Close()
	arch := dockerArchiveOf(t, []string{"one:1"}, "one", base, top)
	// Second image: same base layer through a symlink, top layer zstd.
	created := time.Unix(1700000000, 0).UTC()
	cfg := ocispec.Image{Created: &created, Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"},
		RootFS: ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromBytes(base), digest.FromBytes(top)}}}
	cb, _ := json.Marshal(cfg)
	m := members(t, arch)
	var entries []dockerManifestEntry
	json.Unmarshal(m["manifest.json"], &entries)
	entries = append(entries, dockerManifestEntry{Config: "two.json", RepoTags: []string{"two:1"}, Layers: []string{"dup/layer.tar", "z/layer.tar.zst"}})
	mb, _ := json.Marshal(entries)
	arch = makeTar(t, []tarEntry{
		{Name: "l0/layer.tar", Body: m["l0/layer.tar"]}, {Name: "l1/layer.tar", Body: m["l1/layer.tar"]},
		{Name: "config.json", Body: m["config.json"]},
		{Name: "dup/layer.tar", Type: tar.TypeSymlink, Linkname: "../l0/layer.tar"},
		{Name: "z/layer.tar.zst", Body: zbuf.Bytes()},
		{Name: "two.json", Body: cb}, {Name: "manifest.json", Body: mb},
	})
	svc, _ := newTestService(t)
	loaded, err := svc.Load(ctx, bytes.NewReader(arch))
	if err != nil || !slices.Equal(loaded, []string{"one:1", "two:1"}) {
		t.Fatalf("Load = %v, %v", loaded, err)
	}
	one, _ := svc.Get(ctx, "one:1")
	two, err := svc.Get(ctx, "two:1")
	if err != nil {
		t.Fatal(err)
	}
	if one.Layers[0].Digest != two.Layers[0].Digest {
		t.Errorf("shared layer stored twice: %s %s", one.Layers[0].Digest, two.Layers[0].Digest)
	}
	if two.Layers[1].MediaType != ocispec.MediaTypeImageLayerZstd || two.DiffIDs[1] != digest.FromBytes(top) {
		t.Errorf("zstd layer: %+v diffID %s", two.Layers[1], two.DiffIDs[1])
	}
}
