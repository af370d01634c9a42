package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	imagetypes "github.com/moby/moby/api/types/image"
)

var testID = "sha256:" + strings.Repeat("ab", 32)

func TestImageRows(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s := imagetypes.Summary{ID: testID, Created: now.Add(-2 * time.Hour).Unix(), Size: 4_261_000,
		RepoTags:    []string{"busybox:latest", "example.com/me/bb:v1"},
		RepoDigests: []string{"busybox@sha256:" + strings.Repeat("c", 64)}}
	rows := imageRows(s, imagesOptions{}, now)
	if len(rows) != 2 {
		t.Fatalf("rows = %+v", rows)
	}
	r := rows[0]
	if r.Repository != "busybox" || r.Tag != "latest" || r.ID != strings.Repeat("ab", 6) || r.CreatedSince != "2 hours ago" ||
		r.Size != "4.26MB" || r.Digest != "sha256:"+strings.Repeat("c", 64) {
		t.Errorf("row 0 = %+v", r)
	}
	if rows[1].Repository != "example.com/me/bb" || rows[1].Tag != "v1" || rows[1].Digest != "<none>" {
		t.Errorf("row 1 = %+v", rows[1])
	}
	dangling := imageRows(imagetypes.Summary{ID: testID, Created: now.Unix()}, imagesOptions{noTrunc: true}, now)
	if len(dangling) != 1 || dangling[0].Repository != "<none>" || dangling[0].Tag != "<none>" || dangling[0].ID != testID {
		t.Errorf("dangling = %+v", dangling)
	}
}

func TestListFormatTableAndJSON(t *testing.T) {
	rows := []any{imageRow{Repository: "busybox", Tag: "latest", Digest: "<none>", ID: "abababababab", CreatedSince: "2 hours ago", Size: "4.26MB"}}
	lf := listFormat{headers: imageHeaders, defaultTable: "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"}
	var buf bytes.Buffer
	if err := lf.write(&buf, rows); err != nil {
		t.Fatal(err)
	}
	want := "REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n" +
		"busybox      latest    abababababab   2 hours ago   4.26MB\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
	for format, want := range map[string]string{
		`table {{.ID}}\t{{.Repository}}`: "IMAGE ID       REPOSITORY\nabababababab   busybox\n",
		"{{.Repository}}:{{.Tag}}":       "busybox:latest\n",
		"json":                           `{"Containers":"","CreatedAt":"","CreatedSince":"2 hours ago","Digest":"<none>","ID":"abababababab","Repository":"busybox","SharedSize":"","Size":"4.26MB","Tag":"latest","UniqueSize":"","VirtualSize":""}` + "\n",
	} {
		buf.Reset()
		lf.format = format
		if err := lf.write(&buf, rows); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, buf.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", format, diff)
		}
	}
	lf.format = "{{.Nope"
	if err := lf.write(&buf, rows); err == nil || !strings.Contains(err.Error(), "template parsing error") {
		t.Errorf("bad template: %v", err)
	}
}

func TestSplitGlobalFlags(t *testing.T) {
	for _, c := range []struct {
		args, hosts, rest []string
	}{
		{[]string{"-H", "unix:///a", "images", "-q"}, []string{"unix:///a"}, []string{"images", "-q"}},
		{[]string{"--host=tcp://x:1", "-Hunix:///b", "history", "-H=false", "x"}, []string{"tcp://x:1", "unix:///b"}, []string{"history", "-H=false", "x"}},
		{[]string{"history", "-H", "x"}, nil, []string{"history", "-H", "x"}},
	} {
		hosts, rest, err := splitGlobalFlags(c.args)
		if err != nil || !cmp.Equal(hosts, c.hosts) || !cmp.Equal(rest, c.rest) {
			t.Errorf("%q → %q %q %v", c.args, hosts, rest, err)
		}
	}
	if _, _, err := splitGlobalFlags([]string{"-H"}); err == nil {
		t.Error("-H without a value accepted")
	}
}

func TestEllipsis(t *testing.T) {
	if got := ellipsis(strings.Repeat("x", 50), 45); len([]rune(got)) != 45 || !strings.HasSuffix(got, "…") {
		t.Errorf("ellipsis = %q", got)
	}
	if got := ellipsis("short", 45); got != "short" {
		t.Errorf("ellipsis short = %q", got)
	}
}
