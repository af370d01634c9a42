package oci

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/berthproject/berth/internal/archive"
	"github.com/berthproject/berth/internal/snapshot"
	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"
)

type memBlobs map[digest.Digest][]byte

func (m memBlobs) Open(ctx context.Context, d digest.Digest) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m[d])), nil
}

// The whole path of a container's root filesystem: a busybox layer
// unpacked by the overlay snapshotter, a writable layer prepared and
// mounted, the spec generated from the mounted root, a container run by
// runc writing a file, and the diff of the writable layer holding it.
func TestRootfsFromSnapshotRunsUnderRunc(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount overlayfs and run a container")
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("runc not installed (make deps)")
	}
	ctx := context.Background()
	var layer bytes.Buffer
	if err := archive.Tar(ctx, busyboxRootfs(t), &layer); err != nil {
		t.Fatal(err)
	}
	blobs := memBlobs{digest.FromBytes(layer.Bytes()): layer.Bytes()}
	sn, err := snapshot.NewOverlay(ctx, t.TempDir())
	if errdefs.IsNotImplemented(err) {
		t.Skipf("overlayfs unavailable here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	top, err := sn.Unpack(ctx, []snapshot.Layer{{Blob: digest.FromBytes(layer.Bytes()), DiffID: digest.FromBytes(layer.Bytes())}}, blobs)
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("berth-oci-rootfs-%d", time.Now().UnixNano())
	mounts, err := sn.Prepare(ctx, id, top.String())
	if err != nil {
		t.Fatal(err)
	}
	bundle := t.TempDir()
	rootfs := filepath.Join(bundle, "rootfs")
	os.Mkdir(rootfs, 0o755)
	if err := snapshot.MountAll(ctx, mounts, rootfs); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(rootfs, unix.MNT_DETACH) })

	spec, err := Generate(ctx, ocispec.ImageConfig{Cmd: []string{"sh", "-c", "echo hi > /tmp/made-in-container && rm /etc/group"}, WorkingDir: "/work"},
		Options{Rootfs: rootfs, CgroupsPath: "/" + id})
	if err != nil {
		t.Fatal(err)
	}
	if err := CreateWorkdir(rootfs, spec); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(spec)
	os.WriteFile(filepath.Join(bundle, "config.json"), b, 0o644)
	state := t.TempDir()
	t.Cleanup(func() { exec.Command(runc, "--root", state, "delete", "-f", id).Run() })
	if out, err := exec.Command(runc, "--root", state, "run", "--bundle", bundle, id).CombinedOutput(); err != nil {
		t.Fatalf("runc run: %v\n%s", err, out)
	}
	if err := snapshot.Unmount(ctx, rootfs); err != nil {
		t.Fatal(err)
	}
	var diff bytes.Buffer
	if err := sn.Diff(ctx, id, &diff); err != nil {
		t.Fatal(err)
	}
	var names []string
	tr := tar.NewReader(&diff)
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, hdr.Name)
	}
	for _, want := range []string{"tmp/made-in-container", "etc/.wh.group", "work/"} {
		if !slices.Contains(names, want) {
			t.Errorf("diff of the container's layer %v lacks %s", names, want)
		}
	}
}
