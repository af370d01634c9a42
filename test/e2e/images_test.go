package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/berthproject/berth/test/testimage"
)

// importBusybox imports the busybox rootfs as ref and returns the image ID.
func importBusybox(t *testing.T, d *daemon, ref string, extra ...string) string {
	t.Helper()
	args := append([]string{"import"}, extra...)
	args = append(args, "-")
	if ref != "" {
		args = append(args, ref)
	}
	r := d.berth(t, bytes.NewReader(testimage.RootfsTar(t)), args...)
	if r.code != 0 {
		t.Fatalf("import: %s", r)
	}
	id := strings.TrimSpace(r.stdout)
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(id) {
		t.Fatalf("import printed %q, want the image ID", r.stdout)
	}
	return id
}

func TestImportListInspectHistory(t *testing.T) {
	d := startDaemon(t)
	id := importBusybox(t, d, "busybox:latest", "-c", `CMD ["sh"]`, "-c", "ENV A=b", "-m", "hand made")
	short := strings.TrimPrefix(id, "sha256:")[:12]

	lines := strings.Split(strings.TrimSpace(d.ok(t, "images")), "\n")
	if len(lines) != 2 || !regexp.MustCompile(`^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^busybox\s+latest\s+`+short+`\s+(Less than a second|\d+ seconds?|About a minute) ago\s+[0-9.]+[kM]B$`).MatchString(lines[1]) {
		t.Errorf("images:\n%s", strings.Join(lines, "\n"))
	}
	if got := strings.TrimSpace(d.ok(t, "images", "-q")); got != short {
		t.Errorf("images -q = %q, want %q", got, short)
	}
	if got := d.ok(t, "image", "ls", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}"); strings.TrimSpace(got) != id+" busybox:latest" {
		t.Errorf("--no-trunc --format = %q", got)
	}
	var row map[string]string
	if err := json.Unmarshal([]byte(d.ok(t, "images", "--format", "json")), &row); err != nil || row["Repository"] != "busybox" || row["ID"] != short {
		t.Errorf("--format json: %v %v", row, err)
	}
	if got := d.ok(t, "images", "--filter", "dangling=true", "-q"); got != "" {
		t.Errorf("dangling filter listed %q", got)
	}
	if got := strings.TrimSpace(d.ok(t, "images", "-q", "--filter", "reference=busy*")); got != short {
		t.Errorf("reference filter = %q", got)
	}
	if got := strings.TrimSpace(d.ok(t, "images", "-q", "nosuchrepo")); got != "" {
		t.Errorf("images nosuchrepo = %q", got)
	}

	got := strings.TrimSpace(d.ok(t, "image", "inspect", "--format", "{{.Id}} {{json .Config.Cmd}} {{.Comment}}", "busybox"))
	if got != id+` ["sh"] hand made` {
		t.Errorf("inspect --format = %q", got)
	}
	var inspected []map[string]any
	if err := json.Unmarshal([]byte(d.ok(t, "inspect", short)), &inspected); err != nil || len(inspected) != 1 || inspected[0]["Id"] != id {
		t.Errorf("inspect by short ID: %v %v", inspected, err)
	}
	hist := d.ok(t, "history", "--no-trunc", "busybox")
	if !strings.Contains(hist, "hand made") || !regexp.MustCompile(`(?m)^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$`).MatchString(hist) {
		t.Errorf("history:\n%s", hist)
	}
	if n := d.ok(t, "info", "--format", "{{.Images}}"); strings.TrimSpace(n) != "1" {
		t.Errorf("info Images = %q", n)
	}
}

func TestTagRmiPrune(t *testing.T) {
	d := startDaemon(t)
	id := importBusybox(t, d, "busybox:latest")
	short := strings.TrimPrefix(id, "sha256:")[:12]
	d.ok(t, "tag", "busybox", "example.com/me/bb:v1")
	if got := d.ok(t, "images", "--format", "{{.Repository}}:{{.Tag}}"); !strings.Contains(got, "busybox:latest") || !strings.Contains(got, "example.com/me/bb:v1") {
		t.Errorf("after tag: %q", got)
	}
	// By ID, an image with two tags needs -f.
	r := d.berth(t, nil, "rmi", short)
	if r.code != 125 || !strings.Contains(r.stderr, "conflict") {
		t.Errorf("rmi by ID of a twice-tagged image: %s", r)
	}
	if got := d.ok(t, "rmi", "example.com/me/bb:v1"); strings.TrimSpace(got) != "Untagged: example.com/me/bb:v1" {
		t.Errorf("rmi tag = %q", got)
	}
	d.ok(t, "tag", short, "other:1")
	got := d.ok(t, "image", "rm", "-f", short)
	if !strings.Contains(got, "Untagged: busybox:latest") || !strings.Contains(got, "Untagged: other:1") || !strings.Contains(got, "Deleted: "+id) {
		t.Errorf("rmi -f:\n%s", got)
	}
	if got := d.ok(t, "images", "-q"); got != "" {
		t.Errorf("images after rmi: %q", got)
	}

	// An untagged image is dangling: prune takes it, -a takes the rest.
	dangling := importBusybox(t, d, "")
	importBusybox(t, d, "keep:1", "-m", "different config")
	if got := strings.TrimSpace(d.ok(t, "images", "-q", "--no-trunc", "--filter", "dangling=true")); got != dangling {
		t.Errorf("dangling = %q, want %s", got, dangling)
	}
	got = d.ok(t, "image", "prune", "-f")
	if !strings.Contains(got, "Deleted Images:") || !strings.Contains(got, "deleted: "+dangling) || !strings.Contains(got, "Total reclaimed space:") {
		t.Errorf("prune:\n%s", got)
	}
	if got := strings.TrimSpace(d.ok(t, "images", "--format", "{{.Repository}}")); got != "keep" {
		t.Errorf("after prune: %q", got)
	}
	d.ok(t, "image", "prune", "-a", "-f")
	if got := d.ok(t, "images", "-q"); got != "" {
		t.Errorf("after prune -a: %q", got)
	}
}

func TestLoadSaveRoundTrip(t *testing.T) {
	a := startDaemon(t)
	opts := testimage.Options{RepoTags: []string{"example.com/rt/img:v1", "rt:latest"}, Layers: 3, Salt: t.Name()}
	wantID := testimage.ID(t, opts)
	r := a.berth(t, bytes.NewReader(testimage.DockerArchive(t, opts)), "load")
	if r.code != 0 || !strings.Contains(r.stdout, "Loaded image: example.com/rt/img:v1") || !strings.Contains(r.stdout, "Loaded image: rt:latest") {
		t.Fatalf("load: %s", r)
	}
	if got := strings.TrimSpace(a.ok(t, "image", "inspect", "--format", "{{.Id}}", "rt")); got != wantID {
		t.Fatalf("loaded ID %s, want %s", got, wantID)
	}
	dir := t.TempDir()
	for _, format := range []string{"docker-archive", "oci-archive"} {
		out := filepath.Join(dir, format+".tar")
		a.ok(t, "save", "--format", format, "-o", out, "example.com/rt/img:v1")
		b := startDaemon(t)
		r := b.berth(t, nil, "load", "-i", out)
		if r.code != 0 || !strings.Contains(r.stdout, "Loaded image: example.com/rt/img:v1") {
			t.Fatalf("%s: load into second daemon: %s", format, r)
		}
		layers := "{{.Id}} {{json .RootFS.Layers}}"
		if x, y := a.ok(t, "image", "inspect", "--format", layers, "example.com/rt/img:v1"), b.ok(t, "image", "inspect", "--format", layers, "example.com/rt/img:v1"); x != y {
			t.Errorf("%s: round trip changed the image:\n%s\n%s", format, x, y)
		}
		// Saving again from the second daemon gives the same bytes.
		again := filepath.Join(dir, format+"-again.tar")
		b.ok(t, "save", "--format", format, "-o", again, "example.com/rt/img:v1")
		if !sameTarContents(t, out, again) {
			t.Errorf("%s: save → load → save changed the archive", format)
		}
	}
	// Quiet load, gzip archive, and an OCI layout with an untagged image.
	gz := testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"gz:1"}, Gzip: true, Salt: "gz"})
	if r := a.berth(t, bytes.NewReader(gz), "load", "-q"); r.code != 0 || r.stdout != "" && !strings.Contains(r.stdout, "gz:1") {
		t.Errorf("load -q gzip: %s", r)
	}
	untagged := testimage.Options{Salt: "untagged"}
	oci := filepath.Join(dir, "untagged.tar")
	if err := os.WriteFile(oci, testimage.OCIArchive(t, untagged), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := a.berth(t, nil, "load", "-i", oci); r.code != 0 || !strings.Contains(r.stdout, "Loaded image ID: "+testimage.ID(t, untagged)) {
		t.Errorf("load untagged OCI: %s", r)
	}
	// save to a terminal-less stdout works; the stream is a tar.
	r = a.berth(t, nil, "save", "rt")
	if r.code != 0 || len(r.stdout) < 1024 {
		t.Errorf("save to stdout: exit %d, %d bytes, %s", r.code, len(r.stdout), r.stderr)
	}
}
