package snapshot

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/identity"
)

type opener func(ctx context.Context, root string) (Snapshotter, error)

var snapshotters = map[string]opener{
	"overlay": func(ctx context.Context, root string) (Snapshotter, error) {
		o, err := NewOverlay(ctx, root)
		if errdefs.IsNotImplemented(err) {
			return nil, errSkip{err}
		}
		return o, err
	},
	"copy": func(ctx context.Context, root string) (Snapshotter, error) { return NewCopy(ctx, root) },
}

// errSkip marks a snapshotter this machine cannot run.
type errSkip struct{ error }

func openOrSkip(t *testing.T, open opener, root string) Snapshotter {
	t.Helper()
	sn, err := open(context.Background(), root)
	if skip, ok := err.(errSkip); ok {
		t.Skipf("overlayfs unavailable here: %v", skip.error)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

func TestSnapshotterLifecycle(t *testing.T) {
	needRoot(t)
	for name, open := range snapshotters {
		t.Run(name, func(t *testing.T) { testLifecycle(t, open) })
	}
}

func testLifecycle(t *testing.T, open opener) {
	ctx := context.Background()
	root := t.TempDir()
	sn := openOrSkip(t, open, root)
	b := &blobs{}
	layers := []Layer{
		b.layer(t, "etc/", "etc/passwd=root", "etc/hosts=h", "var/", "var/old=o", "lib->usr/lib"),
		b.layer(t, "etc/", "etc/.wh.passwd", "var/", "var/.wh..wh..opq", "var/new=n", "bin/", "bin/sh=sh"),
	}
	top, err := sn.Unpack(ctx, layers, b)
	if err != nil {
		t.Fatal(err)
	}
	if want := identity.ChainID([]digest.Digest{layers[0].DiffID, layers[1].DiffID}); top != want {
		t.Errorf("Unpack = %s, want chain ID %s", top, want)
	}
	opens := b.opens
	if again, err := sn.Unpack(ctx, layers, b); err != nil || again != top || b.opens != opens {
		t.Errorf("second Unpack = %s, %v after %d more reads; want no reads", again, err, b.opens-opens)
	}

	mounts, err := sn.Prepare(ctx, "ctr1", top.String())
	if err != nil {
		t.Fatal(err)
	}
	rootfs := mountRoot(t, mounts)
	if exists(filepath.Join(rootfs, "etc/passwd")) || exists(filepath.Join(rootfs, "var/old")) {
		t.Error("whited-out files are visible")
	}
	if got := readFile(t, filepath.Join(rootfs, "bin/sh")) + readFile(t, filepath.Join(rootfs, "etc/hosts")); got != "shh" {
		t.Errorf("files of both layers = %q", got)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "hello"), []byte("world"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(rootfs, "etc/hosts")); err != nil {
		t.Fatal(err)
	}
	if err := Unmount(ctx, rootfs); err != nil {
		t.Fatal(err)
	}

	var diff bytes.Buffer
	if err := sn.Diff(ctx, "ctr1", &diff); err != nil {
		t.Fatal(err)
	}
	names := tarNames(t, diff.Bytes())
	for _, want := range []string{"hello", "etc/.wh.hosts"} {
		if !slices.Contains(names, want) {
			t.Errorf("diff %v lacks %s", names, want)
		}
	}
	if u, err := sn.Usage(ctx, "ctr1"); err != nil || u.Size < 5 || u.Inodes < 2 {
		t.Errorf("Usage = %+v, %v", u, err)
	}

	// The writable layer survives a restart of the snapshotter.
	sn, err = open(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	mounts, err = sn.Mounts(ctx, "ctr1")
	if err != nil {
		t.Fatal(err)
	}
	rootfs = mountRoot(t, mounts)
	if got := readFile(t, filepath.Join(rootfs, "hello")); got != "world" {
		t.Errorf("after reopen hello = %q", got)
	}
	Unmount(ctx, rootfs)

	if _, err := sn.Prepare(ctx, "ctr1", top.String()); !errdefs.IsAlreadyExists(err) {
		t.Errorf("Prepare of a used key = %v, want already exists", err)
	}
	if _, err := sn.Prepare(ctx, "ctr2", "sha256:"+strings.Repeat("0", 64)); !errdefs.IsNotFound(err) {
		t.Errorf("Prepare on a missing parent = %v, want not found", err)
	}
	if err := sn.Remove(ctx, top.String()); !errdefs.IsFailedPrecondition(err) {
		t.Errorf("Remove of a parent = %v, want failed precondition", err)
	}
	for _, key := range []string{"ctr1", top.String(), identity.ChainID([]digest.Digest{layers[0].DiffID}).String()} {
		if err := sn.Remove(ctx, key); err != nil {
			t.Errorf("Remove %s: %v", key, err)
		}
	}
	if dirs := snapshotDirs(t, root); len(dirs) > 1 { // the copy keeps an "empty" dir
		t.Errorf("left behind: %v", dirs)
	}
}

func TestUnpackRefusesWrongDiffID(t *testing.T) {
	needRoot(t)
	for name, open := range snapshotters {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			root := t.TempDir()
			sn := openOrSkip(t, open, root)
			b := &blobs{}
			good := b.layer(t, "a=1")
			bad := b.layer(t, "b=2")
			bad.DiffID = digest.FromString("something else")
			if _, err := sn.Unpack(ctx, []Layer{good, bad}, b); !errdefs.IsInvalidArgument(err) {
				t.Fatalf("Unpack = %v, want invalid argument", err)
			}
			count := 0
			sn.Walk(ctx, func(Info) error { count++; return nil })
			if count > 1 {
				t.Errorf("%d snapshots after a failed unpack, want at most the good layer", count)
			}
			for _, d := range snapshotDirs(t, root) {
				if strings.HasPrefix(d, tmpPrefix) {
					t.Errorf("scratch dir %s left behind", d)
				}
			}
		})
	}
}

func TestOverlayDeepImage(t *testing.T) {
	needRoot(t)
	ctx := context.Background()
	sn := openOrSkip(t, snapshotters["overlay"], t.TempDir())
	b := &blobs{}
	var layers []Layer
	for i := range 130 {
		layers = append(layers, b.layer(t, "layers/", "layers/"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+"="+"v"))
	}
	top, err := sn.Unpack(ctx, layers, b)
	if err != nil {
		t.Fatal(err)
	}
	mounts, err := sn.Prepare(ctx, "deep", top.String())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Join(mounts[0].Options, ",")); n >= os.Getpagesize() {
		t.Fatalf("overlay options are %d bytes, over the page size", n)
	}
	rootfs := mountRoot(t, mounts)
	if entries, _ := os.ReadDir(filepath.Join(rootfs, "layers")); len(entries) != 130 {
		t.Errorf("merged dir has %d entries, want 130", len(entries))
	}
}

func tarNames(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSuffix(hdr.Name, "/"))
	}
}
