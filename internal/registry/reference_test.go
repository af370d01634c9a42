package registry

import (
	"encoding/json"
	"testing"

	"github.com/containerd/errdefs"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		in, host, path, object, familiar string
	}{
		{"busybox", "registry-1.docker.io", "library/busybox", "latest", "busybox:latest"},
		{"docker.io/library/busybox:1.36", "registry-1.docker.io", "library/busybox", "1.36", "busybox:1.36"},
		{"me/tool", "registry-1.docker.io", "me/tool", "latest", "me/tool:latest"},
		{"localhost:5000/a/b:v1", "localhost:5000", "a/b", "v1", "localhost:5000/a/b:v1"},
		{"127.0.0.1:5000/x@sha256:" + hex64, "127.0.0.1:5000", "x", "sha256:" + hex64, "127.0.0.1:5000/x@sha256:" + hex64},
	} {
		r, err := parseRef(tc.in, true)
		if err != nil {
			t.Errorf("parseRef(%q): %v", tc.in, err)
			continue
		}
		if r.host != tc.host || r.path != tc.path || r.object() != tc.object || r.familiar() != tc.familiar {
			t.Errorf("parseRef(%q) = host %q path %q object %q familiar %q", tc.in, r.host, r.path, r.object(), r.familiar())
		}
	}
	for _, bad := range []string{"", "Upper", "a:b:c", "x@sha256:short"} {
		if _, err := parseRef(bad, true); !errdefs.IsInvalidArgument(err) {
			t.Errorf("parseRef(%q) = %v, want an invalid-argument error", bad, err)
		}
	}
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestServerHost(t *testing.T) {
	for in, want := range map[string]string{
		"": "registry-1.docker.io", "https://index.docker.io/v1/": "registry-1.docker.io", "docker.io": "registry-1.docker.io",
		"localhost:5000": "localhost:5000", "https://reg.example.com/": "reg.example.com", "http://127.0.0.1:5000": "127.0.0.1:5000",
	} {
		if got, err := ServerHost(in); err != nil || got != want {
			t.Errorf("ServerHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"a b", "user@host", "reg.example.com/path"} {
		if _, err := ServerHost(bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("ServerHost(%q) = %v, want an invalid-argument error", bad, err)
		}
	}
}

func TestPlatformSelection(t *testing.T) {
	idx := ocispec.Index{Manifests: []ocispec.Descriptor{
		{MediaType: ocispec.MediaTypeImageManifest, Digest: "sha256:a", Platform: &ocispec.Platform{OS: "linux", Architecture: "amd64"}},
		{MediaType: ocispec.MediaTypeImageManifest, Digest: "sha256:b", Platform: &ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{MediaType: ocispec.MediaTypeImageManifest, Digest: "sha256:c", Platform: &ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
		{MediaType: "application/vnd.in-toto+json", Digest: "sha256:d", Platform: &ocispec.Platform{OS: "unknown", Architecture: "unknown"}},
	}}
	for in, want := range map[string]string{"linux/amd64": "sha256:a", "linux/aarch64": "sha256:b", "linux/arm64/v8": "sha256:b", "linux/arm/v7": "sha256:c"} {
		p, err := ParsePlatform(in)
		if err != nil {
			t.Fatalf("ParsePlatform(%q): %v", in, err)
		}
		if d, err := selectManifest(idx, p); err != nil || string(d.Digest) != want {
			t.Errorf("select %s = %s, %v; want %s", in, d.Digest, err, want)
		}
	}
	p, _ := ParsePlatform("linux/s390x")
	if _, err := selectManifest(idx, p); !errdefs.IsNotFound(err) {
		t.Errorf("select linux/s390x = %v, want not found", err)
	}
	for _, bad := range []string{"/amd64", "linux//", "a/b/c/d"} {
		if _, err := ParsePlatform(bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("ParsePlatform(%q) = %v, want invalid argument", bad, err)
		}
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"busybox", "localhost:5000/a/b:v1", "x@sha256:" + hex64, "docker.io/library/x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseRef(s, true)
		if err != nil {
			return
		}
		if r.host == "" || r.path == "" || r.object() == "" {
			t.Fatalf("parseRef(%q) accepted an incomplete reference: %+v", s, r)
		}
	})
}

// FuzzIndexSelection feeds arbitrary index bytes through what a pull does
// with them: it must never panic, and a selected manifest matches.
func FuzzIndexSelection(f *testing.F) {
	f.Add([]byte(`{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:a","size":1,"platform":{"os":"linux","architecture":"amd64"}}]}`), "linux/amd64")
	f.Add([]byte(`{"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}`), "linux/arm64/v8")
	f.Fuzz(func(t *testing.T, raw []byte, plat string) {
		_ = sniffMediaType(raw)
		p, err := ParsePlatform(plat)
		if err != nil {
			return
		}
		var idx ocispec.Index
		if json.Unmarshal(raw, &idx) != nil {
			return
		}
		d, err := selectManifest(idx, p)
		if err == nil && (d.Platform == nil || d.Platform.OS != p.OS || normalArch(d.Platform.Architecture) != p.Architecture) {
			t.Fatalf("selected %+v for %+v", d, p)
		}
	})
}
