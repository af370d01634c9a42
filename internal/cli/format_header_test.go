package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	imagetypes "github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/volume"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// The titles of table columns are Docker's (docker CLI 28 against a berth
// daemon printed the same lines), method-style fields included.
func TestTableHeadersMatchDocker(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	ps := testSummary(now)
	ps.Labels["com.example.my-app"] = "shop"
	ps.ImageManifestDescriptor = &ocispec.Descriptor{Platform: &ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}
	created := time.Date(2026, 11, 23, 20, 19, 11, 348647030, time.UTC)
	for _, tc := range []struct {
		name    string
		headers map[string]string
		format  string
		row     any
		want    string
	}{
		{"ps label", psHeaders, `table {{.Names}}\t{{.Label "app"}}\t{{.Label "com.example.my-app"}}`, newPsRow(ps, false, now),
			"NAMES     app       my app\nweb       web       shop\n"},
		{"ps methods", psHeaders, `table {{.Mounts}}\t{{.Networks}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Platform}}`, newPsRow(ps, false, now),
			"MOUNTS    NETWORKS   LOCAL VOLUMES   SIZE                     CREATED         PLATFORM\n" +
				"                     0               1.2kB (virtual 4.26MB)   2 minutes ago   linux/arm64/v8\n"},
		{"functions keep titles", psHeaders, `table {{upper .Names}}\t{{json .Image}}\t{{lower .State}}\t{{truncate .Status 2}}`, newPsRow(ps, false, now),
			"NAMES     IMAGE       STATE     STATUS\nWEB       \"busybox\"   running   Up\n"},
		{"images", imageHeaders, `table {{.Repository}}\t{{.VirtualSize}}\t{{.Containers}}\t{{.SharedSize}}\t{{.UniqueSize}}`,
			imageRows(imagetypes.Summary{ID: "sha256:abc", RepoTags: []string{"bb:latest"}, Size: 1_997_000, Containers: -1, SharedSize: -1}, imagesOptions{}, now)[0],
			"REPOSITORY   SIZE      CONTAINERS   SHARED SIZE   UNIQUE SIZE\nbb           1.997MB   N/A          N/A           N/A\n"},
		{"network ls", networkHeaders, `table {{.Name}}\t{{.Label "a.b-c"}}\t{{.CreatedAt}}`,
			newNetworkRow(network.Summary{Network: network.Network{Name: "n1", Labels: map[string]string{"a.b-c": "1"}, Created: created}}, false),
			"NAME      b c       CREATED AT\nn1        1         2026-11-23 20:19:11.34864703 +0000 UTC\n"},
		{"volume ls", volumeHeaders, `table {{.Name}}\t{{.Label "a.b_c"}}\t{{.Links}}\t{{.Availability}}\t{{.Group}}\t{{.Status}}`,
			newVolumeRow(volume.Volume{Name: "v2", Driver: "local", Labels: map[string]string{"a.b_c": "2"}}),
			"VOLUME NAME   b c       LINKS     AVAILABILITY   GROUP     STATUS\nv2            2         N/A       N/A            N/A       N/A\n"},
	} {
		var buf bytes.Buffer
		lf := listFormat{format: tc.format, headers: tc.headers}
		if err := lf.write(&buf, []any{tc.row}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d := cmp.Diff(tc.want, buf.String()); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}

// A template that fails on a row prints nothing, not a lone header.
func TestTableWithBadFieldPrintsNothing(t *testing.T) {
	var buf bytes.Buffer
	lf := listFormat{format: `table {{.Names}}\t{{.Nope}}`, headers: psHeaders}
	if err := lf.write(&buf, []any{newPsRow(testSummary(time.Now()), false, time.Now())}); err == nil {
		t.Fatal("a template naming an unknown field succeeded")
	}
	if buf.Len() != 0 {
		t.Errorf("printed %q before failing", buf.String())
	}
}
