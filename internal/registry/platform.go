package registry

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/containerd/errdefs"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ParsePlatform parses os[/arch[/variant]] ("linux/arm64/v8"); "" is the host's.
func ParsePlatform(s string) (ocispec.Platform, error) {
	if s == "" {
		return hostPlatform(), nil
	}
	parts := strings.Split(strings.ToLower(s), "/")
	if len(parts) > 3 || parts[0] == "" || (len(parts) > 1 && parts[1] == "") {
		return ocispec.Platform{}, fmt.Errorf("invalid platform %q: use os[/arch[/variant]]: %w", s, errdefs.ErrInvalidArgument)
	}
	p := ocispec.Platform{OS: parts[0], Architecture: runtime.GOARCH}
	if len(parts) > 1 {
		p.Architecture = normalArch(parts[1])
	}
	if len(parts) > 2 {
		p.Variant = parts[2]
	}
	return p, nil
}

func hostPlatform() ocispec.Platform {
	p := ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if runtime.GOARCH == "arm" {
		p.Variant = "v7"
	}
	return p
}

func normalArch(a string) string {
	switch a {
	case "x86_64", "x86-64":
		return "amd64"
	case "aarch64":
		return "arm64"
	}
	return a
}

// platformString is os/arch[/variant].
func platformString(p ocispec.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// selectManifest picks from an index the image manifest for want: same OS
// and architecture, and the variant when want names one (arm64's "v8" is
// its default, as containerd's matcher says).
func selectManifest(idx ocispec.Index, want ocispec.Platform) (ocispec.Descriptor, error) {
	for _, m := range idx.Manifests {
		if !isManifest(m.MediaType) || m.Platform == nil {
			continue
		}
		p := *m.Platform
		if p.OS != want.OS || normalArch(p.Architecture) != want.Architecture {
			continue
		}
		if want.Variant != "" && p.Variant != want.Variant && !(want.Architecture == "arm64" && want.Variant == "v8" && p.Variant == "") {
			continue
		}
		return m, nil
	}
	return ocispec.Descriptor{}, fmt.Errorf("no matching manifest for %s in the manifest list entries: %w", platformString(want), errdefs.ErrNotFound)
}
