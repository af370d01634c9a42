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

// TestDockerCLIImages drives berth with the real docker CLI and checks it
// gets what Docker gives.
func TestDockerCLIImages(t *testing.T) {
	needDocker(t)
	d := startDaemon(t)
	dir := t.TempDir()
	docker := func(stdin []byte, args ...string) string {
		t.Helper()
		var in *bytes.Reader
		if stdin != nil {
			in = bytes.NewReader(stdin)
		}
		var r result
		if in != nil {
			r = d.docker(t, in, args...)
		} else {
			r = d.docker(t, nil, args...)
		}
		if r.code != 0 {
			t.Fatalf("docker %s: %s", strings.Join(args, " "), r)
		}
		return r.stdout
	}

	opts := testimage.Options{RepoTags: []string{"busybox:latest"}, Layers: 2, Salt: "docker-cli"}
	archive := filepath.Join(dir, "busybox.tar")
	os.WriteFile(archive, testimage.DockerArchive(t, opts), 0o644)
	if out := docker(nil, "load", "-i", archive); strings.TrimSpace(out) != "Loaded image: busybox:latest" {
		t.Errorf("docker load = %q", out)
	}
	id := testimage.ID(t, opts)
	short := strings.TrimPrefix(id, "sha256:")[:12]

	lines := strings.Split(strings.TrimSpace(docker(nil, "images")), "\n")
	if len(lines) != 2 || !regexp.MustCompile(`^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^busybox\s+latest\s+`+short+`\s+`).MatchString(lines[1]) {
		t.Errorf("docker images:\n%s", strings.Join(lines, "\n"))
	}
	var inspected []struct {
		ID       string `json:"Id"`
		RepoTags []string
		RootFS   struct{ Layers []string }
	}
	if err := json.Unmarshal([]byte(docker(nil, "image", "inspect", "busybox")), &inspected); err != nil ||
		len(inspected) != 1 || inspected[0].ID != id || len(inspected[0].RootFS.Layers) != 2 {
		t.Errorf("docker image inspect: %+v %v", inspected, err)
	}
	docker(nil, "tag", "busybox", "example.com/me/bb:v1")
	if out := docker(nil, "images", "--format", "{{.Repository}}:{{.Tag}}", "example.com/me/bb"); strings.TrimSpace(out) != "example.com/me/bb:v1" {
		t.Errorf("docker images after tag = %q", out)
	}
	if out := docker(nil, "history", "-q", "busybox"); !strings.Contains(out, short) {
		t.Errorf("docker history = %q", out)
	}

	saved := filepath.Join(dir, "saved.tar")
	docker(nil, "save", "-o", saved, "busybox:latest")
	b := startDaemon(t)
	if r := b.docker(t, nil, "load", "-i", saved); r.code != 0 || !strings.Contains(r.stdout, "Loaded image: busybox:latest") {
		t.Fatalf("docker load of docker save output: %s", r)
	}
	if r := b.docker(t, nil, "image", "inspect", "--format", "{{.Id}}", "busybox"); strings.TrimSpace(r.stdout) != id {
		t.Errorf("round trip through docker save/load: %s", r)
	}

	imported := strings.TrimSpace(docker(testimage.RootfsTar(t), "import", "-c", `CMD ["sh"]`, "-m", "via docker", "-", "imported:1"))
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(imported) {
		t.Errorf("docker import printed %q", imported)
	}
	if out := docker(nil, "image", "inspect", "--format", "{{json .Config.Cmd}}", "imported:1"); strings.TrimSpace(out) != `["sh"]` {
		t.Errorf("imported Cmd = %q", out)
	}

	out := docker(nil, "rmi", "example.com/me/bb:v1")
	if strings.TrimSpace(out) != "Untagged: example.com/me/bb:v1" {
		t.Errorf("docker rmi = %q", out)
	}
	r := d.docker(t, nil, "rmi", "nosuch:1")
	if r.code == 0 || !strings.Contains(r.stderr, "No such image: nosuch:1") {
		t.Errorf("docker rmi nosuch: %s", r)
	}
	// An untagged copy of the imported image is dangling; prune takes it.
	docker(nil, "rmi", "imported:1")
	dangling := strings.TrimSpace(docker(testimage.RootfsTar(t), "import", "-"))
	out = docker(nil, "image", "prune", "-f")
	if !strings.Contains(out, "deleted: "+dangling) || !strings.Contains(out, "Total reclaimed space:") {
		t.Errorf("docker image prune:\n%s", out)
	}
	if out := docker(nil, "images", "-q"); strings.TrimSpace(out) != short {
		t.Errorf("docker images after prune = %q", out)
	}
}
