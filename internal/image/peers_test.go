package image

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthproject/berth/test/testimage"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed (make deps installs it)", name)
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestSkopeoOCIArchiveRoundTrip: an OCI archive written by skopeo, loaded
// and saved back as oci-archive, keeps its manifest digest; skopeo reads
// both formats berth writes.
func TestSkopeoOCIArchiveRoundTrip(t *testing.T) {
	needTool(t, "skopeo")
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.tar")
	os.WriteFile(src, testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"src:1"}, Layers: 2}), 0o644)
	skopeoArch := filepath.Join(dir, "skopeo-oci.tar")
	run(t, "skopeo", "copy", "--quiet", "docker-archive:"+src, "oci-archive:"+skopeoArch+":example.com/skopeo/img:v1")
	data, _ := os.ReadFile(skopeoArch)
	var idx ocispec.Index
	if err := json.Unmarshal(members(t, data)["index.json"], &idx); err != nil || len(idx.Manifests) != 1 {
		t.Fatalf("skopeo index.json: %v %+v", err, idx)
	}
	want := idx.Manifests[0].Digest

	svc, _ := newTestService(t)
	loaded, err := svc.Load(ctx, bytes.NewReader(data))
	if err != nil || len(loaded) != 1 || loaded[0] != "example.com/skopeo/img:v1" {
		t.Fatalf("Load skopeo archive = %v, %v", loaded, err)
	}
	for _, format := range []SaveFormat{OCIArchive, DockerArchive} {
		var out bytes.Buffer
		if err := svc.Save(ctx, loaded, format, &out); err != nil {
			t.Fatal(err)
		}
		var saved ocispec.Index
		json.Unmarshal(members(t, out.Bytes())["index.json"], &saved)
		if len(saved.Manifests) != 1 || saved.Manifests[0].Digest != want {
			t.Errorf("%s: index.json %+v, want manifest %s", format, saved.Manifests, want)
		}
		p := filepath.Join(dir, string(format)+".tar")
		os.WriteFile(p, out.Bytes(), 0o644)
		raw := run(t, "skopeo", "inspect", "--raw", string(format)+":"+p)
		if format == OCIArchive && !strings.Contains(raw, `"layers"`) {
			t.Errorf("skopeo inspect --raw %s: %s", format, raw)
		}
		cfg := run(t, "skopeo", "inspect", "--config", string(format)+":"+p)
		if !strings.Contains(cfg, `"diff_ids"`) {
			t.Errorf("skopeo inspect --config %s: %s", format, cfg)
		}
	}
}

// TestPodmanLoadsBerthArchive: podman, with a scratch store, loads a
// docker-archive that berth saved, under the same ID.
func TestPodmanLoadsBerthArchive(t *testing.T) {
	needTool(t, "podman")
	if os.Geteuid() != 0 {
		t.Skip("podman with a scratch --root needs root")
	}
	ctx := context.Background()
	svc, _ := newTestService(t)
	o := testimage.Options{RepoTags: []string{"berth/podman:1"}, Layers: 2}
	if _, err := svc.Load(ctx, bytes.NewReader(testimage.OCIArchive(t, o))); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := svc.Save(ctx, []string{"berth/podman:1"}, DockerArchive, &out); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "img.tar")
	os.WriteFile(p, out.Bytes(), 0o644)
	// podman refuses a runroot path longer than 50 characters.
	runroot, err := os.MkdirTemp("", "bprun")
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root")
	pod := func(args ...string) string {
		return run(t, "podman", append([]string{"--root", root, "--runroot", runroot, "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "none"}, args...)...)
	}
	t.Cleanup(func() {
		exec.Command("podman", "--root", root, "--runroot", runroot, "--storage-driver", "vfs", "system", "reset", "-f").Run()
		os.RemoveAll(runroot)
	})
	pod("load", "-q", "-i", p)
	id := strings.TrimSpace(pod("image", "inspect", "--format", "{{.Id}}", "berth/podman:1"))
	if "sha256:"+id != testimage.ID(t, o) {
		t.Errorf("podman ID %s, want %s", id, testimage.ID(t, o))
	}
	// What podman saves, in both formats, berth loads under the same ID.
	for _, format := range []string{"docker-archive", "oci-archive"} {
		p := filepath.Join(dir, "podman-"+format+".tar")
		pod("save", "-q", "--format", format, "-o", p, "berth/podman:1")
		data, _ := os.ReadFile(p)
		svc2, _ := newTestService(t)
		loaded, err := svc2.Load(ctx, bytes.NewReader(data))
		if err != nil {
			t.Fatalf("load podman's %s: %v", format, err)
		}
		img, err := svc2.Get(ctx, loaded[0])
		if err != nil || img.ID.String() != testimage.ID(t, o) {
			t.Errorf("podman %s: loaded %v as %v (%v), want ID %s", format, loaded, img, err, testimage.ID(t, o))
		}
	}
}

// TestUmociLayouts: an OCI layout made by umoci loads (its bare-tag
// reference names no repository, so the image is untagged), and umoci
// reads and unpacks the layout berth saves.
func TestUmociLayouts(t *testing.T) {
	needTool(t, "umoci")
	needTool(t, "tar")
	ctx := context.Background()
	dir := t.TempDir()
	lay := filepath.Join(dir, "layout")
	rootfs := filepath.Join(dir, "rootfs")
	testimage.BusyboxRootfs(t, rootfs)
	run(t, "umoci", "init", "--layout", lay)
	run(t, "umoci", "new", "--image", lay+":base")
	run(t, "umoci", "insert", "--rootless", "--image", lay+":base", rootfs, "/")
	run(t, "umoci", "config", "--image", lay+":base", "--config.cmd", "sh")
	run(t, "tar", "-C", lay, "-cf", filepath.Join(dir, "umoci.tar"), ".")
	data, _ := os.ReadFile(filepath.Join(dir, "umoci.tar"))

	svc, _ := newTestService(t)
	loaded, err := svc.Load(ctx, bytes.NewReader(data))
	if err != nil || len(loaded) != 1 || !strings.HasPrefix(loaded[0], "sha256:") {
		t.Fatalf("Load umoci layout = %v, %v", loaded, err)
	}
	img, err := svc.Get(ctx, loaded[0])
	if err != nil || len(img.Config.Config.Cmd) != 1 || img.Config.Config.Cmd[0] != "sh" {
		t.Fatalf("Get = %+v, %v", img, err)
	}
	if err := svc.Tag(ctx, loaded[0], "umoci/busybox:v1"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := svc.Save(ctx, []string{"umoci/busybox:v1"}, OCIArchive, &out); err != nil {
		t.Fatal(err)
	}
	back := filepath.Join(dir, "back")
	os.Mkdir(back, 0o755)
	os.WriteFile(filepath.Join(dir, "back.tar"), out.Bytes(), 0o644)
	run(t, "tar", "-C", back, "-xf", filepath.Join(dir, "back.tar"))
	if refs := run(t, "umoci", "ls", "--layout", back); strings.TrimSpace(refs) != "v1" {
		t.Errorf("umoci ls = %q, want v1", refs)
	}
	bundle := filepath.Join(dir, "bundle")
	run(t, "umoci", "unpack", "--rootless", "--image", back+":v1", bundle)
	if l, err := os.Readlink(filepath.Join(bundle, "rootfs", "bin", "sh")); err != nil || l != "busybox" {
		t.Errorf("unpacked bin/sh -> %q (%v)", l, err)
	}
}
