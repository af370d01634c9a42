package e2e

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/berthproject/berth/test/testimage"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func skopeoDigest(t *testing.T, ref string) string {
	t.Helper()
	out, err := exec.Command("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://"+ref).Output()
	if err != nil {
		t.Fatalf("skopeo inspect %s: %v", ref, err)
	}
	out2, err := exec.Command("skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://"+ref).Output()
	if err != nil {
		t.Fatalf("skopeo inspect %s: %v (%s)", ref, err, out)
	}
	return strings.TrimSpace(string(out2))
}

func inspectField(t *testing.T, c *regClient, name, format string) string {
	t.Helper()
	return strings.TrimSpace(c.ok(t, "image", "inspect", "--format", format, name))
}

// A pushed image pulls back identical, through a registry marked insecure
// (plain HTTP); RepoDigests name it after both.
func TestRegistryPushPullRoundTrip(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}})
	c := newRegClient(t, d)
	importBusybox(t, d, "busybox:latest")
	ref := reg.addr + "/team/busybox:1"
	c.ok(t, "tag", "busybox", ref)
	out := c.ok(t, "push", ref)
	if !strings.Contains(out, "The push refers to repository ["+reg.addr+"/team/busybox]") || !strings.Contains(out, ": Pushed") {
		t.Errorf("push output:\n%s", out)
	}
	pushed := skopeoDigest(t, ref)
	if !strings.Contains(out, "1: digest: "+pushed+" size: ") {
		t.Errorf("push output does not name the digest skopeo sees (%s):\n%s", pushed, out)
	}
	if got := inspectField(t, c, ref, "{{json .RepoDigests}}"); !strings.Contains(got, reg.addr+"/team/busybox@"+pushed) {
		t.Errorf("RepoDigests after push = %s", got)
	}
	// The imported (uncompressed) layer went out gzipped, as Docker's do,
	// and the compressed copy made for the push is gone.
	if raw, err := exec.Command("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://"+ref).Output(); err != nil || !strings.Contains(string(raw), ocispec.MediaTypeImageLayerGzip) {
		t.Errorf("pushed manifest: %v %s", err, raw)
	}
	if left, _ := filepath.Glob(filepath.Join(d.root, "registry", "gzip", "*.tar.gz")); len(left) != 0 {
		t.Errorf("compressed layers left after the push: %v", left)
	}
	// A second push finds every layer there.
	if out := c.ok(t, "push", ref); !strings.Contains(out, "Layer already exists") {
		t.Errorf("second push:\n%s", out)
	}
	// Another repository of the same registry mounts the layer.
	other := reg.addr + "/other/busybox:1"
	c.ok(t, "tag", "busybox", other)
	if out := c.ok(t, "push", other); !strings.Contains(out, "Mounted from team/busybox") {
		t.Errorf("cross-repository push did not mount:\n%s", out)
	}

	id := inspectField(t, c, ref, "{{.Id}}")
	c.ok(t, "rmi", ref, other, "busybox")
	out = c.ok(t, "pull", ref)
	for _, want := range []string{"1: Pulling from team/busybox", "Pull complete", "Digest: " + pushed, "Status: Downloaded newer image for " + ref} {
		if !strings.Contains(out, want) {
			t.Errorf("pull output lacks %q:\n%s", want, out)
		}
	}
	if got := inspectField(t, c, ref, "{{.Id}}"); got != id {
		t.Errorf("pulled image ID %s, pushed %s", got, id)
	}
	if got := inspectField(t, c, ref, "{{json .RepoDigests}}"); got != `["`+reg.addr+"/team/busybox@"+pushed+`"]` {
		t.Errorf("RepoDigests after pull = %s", got)
	}
	if out := c.ok(t, "pull", ref); !strings.Contains(out, "Status: Image is up to date for "+ref) {
		t.Errorf("second pull:\n%s", out)
	}
	// By digest, quietly.
	c.ok(t, "rmi", ref)
	byDigest := reg.addr + "/team/busybox@" + pushed
	if got := strings.TrimSpace(c.ok(t, "pull", "-q", byDigest)); got != byDigest {
		t.Errorf("pull -q printed %q", got)
	}
	if got := inspectField(t, c, byDigest, "{{.Id}}"); got != id {
		t.Errorf("pulled by digest: ID %s, want %s", got, id)
	}
	// manifest inspect prints what the registry serves.
	var m ocispec.Manifest
	if err := json.Unmarshal([]byte(c.ok(t, "manifest", "inspect", ref)), &m); err != nil || m.Config.Digest.String() != id {
		t.Errorf("manifest inspect: %v %+v", err, m)
	}
}

// skopeo reads what berth pushes, berth pulls what skopeo pushes, with
// the same digests both ways.
func TestRegistrySkopeoInterop(t *testing.T) {
	if _, err := exec.LookPath("skopeo"); err != nil {
		t.Skip("skopeo is not installed")
	}
	reg := startRegistry(t, registryOptions{})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}})
	c := newRegClient(t, d)

	archive := filepath.Join(t.TempDir(), "oci.tar")
	regWriteFile(t, archive, testimage.OCIArchive(t, testimage.Options{}))
	from := reg.addr + "/skopeo/img:v1"
	if out, err := exec.Command("skopeo", "copy", "--dest-tls-verify=false", "oci-archive:"+archive, "docker://"+from).CombinedOutput(); err != nil {
		t.Fatalf("skopeo copy: %v\n%s", err, out)
	}
	want := skopeoDigest(t, from)
	out := c.ok(t, "pull", from)
	if !strings.Contains(out, "Digest: "+want) {
		t.Errorf("berth pulled a different digest than skopeo pushed (%s):\n%s", want, out)
	}
	// The pulled image runs.
	if got := strings.TrimSpace(c.ok(t, "run", "--rm", from, "echo", "pulled and running")); got != "pulled and running" {
		t.Errorf("run of the pulled image printed %q", got)
	}
	to := reg.addr + "/berth/img:v2"
	c.ok(t, "tag", from, to)
	c.ok(t, "push", to)
	if got := skopeoDigest(t, to); got != want {
		t.Errorf("berth push of a pulled image changed its digest: %s, want %s", got, want)
	}
	dir := filepath.Join(t.TempDir(), "copy")
	if out, err := exec.Command("skopeo", "copy", "--src-tls-verify=false", "docker://"+to, "dir:"+dir).CombinedOutput(); err != nil {
		t.Fatalf("skopeo copy of berth's push: %v\n%s", err, out)
	}
}

// A multi-arch index pulls the host's platform; --platform picks another;
// a push of the pulled image keeps the index.
func TestRegistryMultiArchIndex(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}})
	c := newRegClient(t, d)
	l1, id1 := regRandomLayer(t, "host", 1000)
	l2, id2 := regRandomLayer(t, "other", 1000)
	otherArch := "arm64"
	if runtime.GOARCH == "arm64" {
		otherArch = "amd64"
	}
	host := reg.pushImage(t, "multi", "", runtime.GOARCH, [][]byte{l1}, []digest.Digest{id1}, ocispec.MediaTypeImageLayerGzip)
	host.Platform = &ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH}
	other := reg.pushImage(t, "multi", "", otherArch, [][]byte{l2}, []digest.Digest{id2}, ocispec.MediaTypeImageLayerGzip)
	other.Platform = &ocispec.Platform{OS: "linux", Architecture: otherArch}
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{host, other}}
	idx.SchemaVersion = 2
	top := reg.putManifest(t, "multi", "latest", ocispec.MediaTypeImageIndex, idx)
	ref := reg.addr + "/multi:latest"

	out := c.ok(t, "pull", ref)
	if !strings.Contains(out, "Digest: "+top.Digest.String()) {
		t.Errorf("pull of an index should report the index digest %s:\n%s", top.Digest, out)
	}
	if got := inspectField(t, c, ref, "{{.Architecture}}"); got != runtime.GOARCH {
		t.Errorf("pulled architecture %s, want the host's %s", got, runtime.GOARCH)
	}
	c.ok(t, "push", reg.addr+"/multi:latest")
	copyRef := reg.addr + "/copy/multi:latest"
	c.ok(t, "tag", ref, copyRef)
	c.ok(t, "push", copyRef)
	if got := skopeoDigest(t, copyRef); got != top.Digest.String() {
		t.Errorf("push of a pulled index: registry has %s, want the index %s", got, top.Digest)
	}
	verbose := c.ok(t, "manifest", "inspect", "-v", copyRef)
	if !strings.Contains(verbose, `"architecture": "`+otherArch+`"`) {
		t.Errorf("manifest inspect -v lacks the %s platform:\n%s", otherArch, verbose)
	}

	out = c.ok(t, "pull", "--platform", "linux/"+otherArch, ref)
	if !strings.Contains(out, "Downloaded newer image") {
		t.Errorf("--platform pull:\n%s", out)
	}
	if got := inspectField(t, c, ref, "{{.Architecture}}"); got != otherArch {
		t.Errorf("--platform linux/%s pulled %s", otherArch, got)
	}
	if r := c.fails(t, "pull", "--platform", "linux/s390x", ref); !strings.Contains(r.stderr, "no matching manifest for linux/s390x") {
		t.Errorf("pull of a missing platform: %s", r)
	}
}

// push -a and pull -a move every tag of a repository; a Docker Hub name is
// pulled from the configured mirror (there is no Hub to fall back to).
func TestRegistryAllTagsAndMirror(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}, "registry-mirrors": []string{"http://" + reg.addr}})
	c := newRegClient(t, d)
	importBusybox(t, d, "busybox:latest")
	repo := reg.addr + "/library/mirrored"
	for _, tag := range []string{"a", "b"} {
		c.ok(t, "tag", "busybox", repo+":"+tag)
	}
	out := c.ok(t, "push", "-a", repo)
	if !strings.Contains(out, "a: digest:") || !strings.Contains(out, "b: digest:") {
		t.Errorf("push -a:\n%s", out)
	}
	c.ok(t, "rmi", repo+":a", repo+":b")
	c.ok(t, "pull", "-a", repo)
	if got := c.ok(t, "images", "--format", "{{.Tag}}", repo); got != "a\nb\n" && got != "b\na\n" {
		t.Errorf("tags after pull -a: %q", got)
	}
	out = c.ok(t, "pull", "mirrored:a")
	if !strings.Contains(out, "Status: Downloaded newer image for mirrored:a") {
		t.Errorf("pull through the mirror:\n%s", out)
	}
	if got := inspectField(t, c, "mirrored:a", "{{json .RepoTags}}"); !strings.Contains(got, `"mirrored:a"`) {
		t.Errorf("RepoTags of the mirrored pull = %s", got)
	}
}

// podman pulls what berth pushes, and berth pulls what podman pushes, with
// the same digests.
func TestRegistryPodmanInterop(t *testing.T) {
	if _, err := exec.LookPath("podman"); err != nil {
		t.Skip("podman is not installed")
	}
	reg := startRegistry(t, registryOptions{})
	d := startRegistryDaemon(t, map[string]any{"insecure-registries": []string{reg.addr}})
	c := newRegClient(t, d)
	importBusybox(t, d, "busybox:latest")
	ref := reg.addr + "/berth/busybox:1"
	c.ok(t, "tag", "busybox", ref)
	c.ok(t, "push", ref)
	pushed := skopeoDigest(t, ref)

	root, runroot := t.TempDir(), t.TempDir()
	podman := func(args ...string) string {
		t.Helper()
		all := append([]string{"--root", root, "--runroot", runroot, "--storage-driver", "vfs", "--events-backend", "none"}, args...)
		out, err := exec.Command("podman", all...).CombinedOutput()
		if err != nil {
			t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Cleanup(func() {
		exec.Command("podman", "--root", root, "--runroot", runroot, "--storage-driver", "vfs", "rmi", "-af").Run()
	})
	podman("pull", "-q", "--tls-verify=false", ref)
	if got := strings.TrimSpace(podman("image", "inspect", "--format", "{{.Digest}}", ref)); got != pushed {
		t.Errorf("podman pulled digest %s, berth pushed %s", got, pushed)
	}
	back := reg.addr + "/podman/busybox:1"
	podman("push", "-q", "--tls-verify=false", ref, "docker://"+back)
	want := skopeoDigest(t, back)
	out := c.ok(t, "pull", back)
	if !strings.Contains(out, "Digest: "+want) {
		t.Errorf("berth pulled a different digest than podman pushed (%s):\n%s", want, out)
	}
}
