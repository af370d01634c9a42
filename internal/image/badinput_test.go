package image

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/archive"
	"github.com/berthproject/berth/test/testimage"
	"github.com/containerd/errdefs"
	"github.com/google/go-cmp/cmp"
)

// TestBadArchivesLeaveStoreUnchanged loads hostile and broken archives
// into a store that already holds an image sharing blobs with them: each
// must fail with an error naming the problem and leave the store exactly
// as it was.
func TestBadArchivesLeaveStoreUnchanged(t *testing.T) {
	ctx := context.Background()
	good := testimage.Options{RepoTags: []string{"keep:me"}, Layers: 2}
	dockerArch := testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"bad:x"}, Layers: 3, Salt: "bad"})
	ociArch := testimage.OCIArchive(t, testimage.Options{RepoTags: []string{"bad:x"}, Layers: 3, Salt: "bad"})
	gzArch := testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"bad:x"}, Layers: 3, Salt: "bad", Gzip: true})
	// A small layer blob of the OCI archive (the last one) to tamper with.
	var smallBlob string
	for name, body := range members(t, ociArch) {
		if strings.HasPrefix(name, "blobs/") && len(body) < 4096 && archive.Detect(body) == archive.Gzip {
			smallBlob = name
		}
	}
	busybox := testimage.RootfsTar(t)
	cases := []struct {
		name    string
		archive []byte
		want    string
	}{
		{"empty", nil, "empty"},
		{"not a tar", bytes.Repeat([]byte("this is not a tar archive\n"), 100), "not a tar"},
		{"truncated in a layer", dockerArch[:len(dockerArch)*2/3], "truncated"},
		{"truncated gzip", gzArch[:len(gzArch)/2], "truncated"},
		{"no manifest", makeTar(t, []tarEntry{{Name: "hello.txt", Body: []byte("hi")}}), "neither manifest.json"},
		{"missing blob", rewriteTar(t, ociArch, func(h *tar.Header, b []byte) ([]byte, bool) { return b, h.Name != smallBlob }), "missing from the archive"},
		{"missing layer file", rewriteTar(t, dockerArch, func(h *tar.Header, b []byte) ([]byte, bool) {
			return b, !strings.HasSuffix(h.Name, "layer.tar") || len(b) > 1<<20
		}), "has no file"},
		{"blob does not match digest", rewriteTar(t, ociArch, func(h *tar.Header, b []byte) ([]byte, bool) {
			if h.Name == smallBlob {
				b = append([]byte{}, b...)
				b[len(b)-1] ^= 0xff
			}
			return b, true
		}), "does not match its digest"},
		{"layer does not match diffID", rewriteTar(t, dockerArch, func(h *tar.Header, b []byte) ([]byte, bool) {
			if strings.HasSuffix(h.Name, "layer.tar") && len(b) < 1<<20 {
				b = makeTar(t, []tarEntry{{Name: "other", Body: []byte("other")}})
			}
			return b, true
		}), "diffID"},
		{"dot-dot path", dockerArchiveOf(t, []string{"evil:1"}, "1", busybox, makeTar(t, []tarEntry{{Name: "../../etc/evil", Body: []byte("x")}})), `path contains ".."`},
		{"absolute path", dockerArchiveOf(t, []string{"evil:2"}, "2", busybox, makeTar(t, []tarEntry{{Name: "/etc/evil", Body: []byte("x")}})), "absolute path"},
		{"symlink escape", dockerArchiveOf(t, []string{"evil:3"}, "3", busybox, makeTar(t, []tarEntry{
			{Name: "link", Type: tar.TypeSymlink, Linkname: "../../../../etc"},
			{Name: "link/evil", Body: []byte("x")},
		})), "written through symlink"},
		{"absolute symlink escape", dockerArchiveOf(t, []string{"evil:4"}, "4", makeTar(t, []tarEntry{
			{Name: "etc", Type: tar.TypeSymlink, Linkname: "/etc"},
			{Name: "etc/cron.d/evil", Body: []byte("x")},
		})), "written through symlink"},
		{"invalid tag in archive", dockerArchiveOf(t, []string{"UPPER/Case:1"}, "5", busybox), "invalid reference format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc, root := newTestService(t)
			if _, err := svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, good))); err != nil {
				t.Fatal(err)
			}
			before := takeSnapshot(t, svc, root)
			_, err := svc.Load(ctx, bytes.NewReader(tc.archive))
			if err == nil {
				t.Fatal("Load succeeded")
			}
			t.Logf("error: %v", err)
			if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q (invalid argument: %v), want one naming %q", err, errdefs.IsInvalidArgument(err), tc.want)
			}
			if diff := cmp.Diff(before, takeSnapshot(t, svc, root)); diff != "" {
				t.Errorf("store changed (-before +after):\n%s", diff)
			}
		})
	}
}

func TestImportRejectsUnsafeLayers(t *testing.T) {
	ctx := context.Background()
	svc, root := newTestService(t)
	before := takeSnapshot(t, svc, root)
	for name, layer := range map[string][]byte{
		"dot-dot":  makeTar(t, []tarEntry{{Name: "a/../../x", Body: []byte("x")}}),
		"absolute": makeTar(t, []tarEntry{{Name: "/x", Body: []byte("x")}}),
		"symlink": makeTar(t, []tarEntry{{Name: "d", Type: tar.TypeSymlink, Linkname: "a/../../.."},
			{Name: "d/x", Body: []byte("x")}}),
		"hardlink":  makeTar(t, []tarEntry{{Name: "h", Type: tar.TypeLink, Linkname: "../../etc/shadow"}}),
		"not a tar": bytes.Repeat([]byte{'z'}, 2000),
	} {
		_, err := svc.Import(ctx, bytes.NewReader(layer), ImportOptions{Ref: "evil:" + strings.ReplaceAll(name, " ", "")})
		if !errdefs.IsInvalidArgument(err) {
			t.Errorf("%s: Import err = %v, want invalid argument", name, err)
		}
	}
	if diff := cmp.Diff(before, takeSnapshot(t, svc, root)); diff != "" {
		t.Errorf("store changed (-before +after):\n%s", diff)
	}
}

func TestNamesAndReferences(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	if _, err := svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"busybox:latest"}}))); err != nil {
		t.Fatal(err)
	}
	id := testimage.ID(t, testimage.Options{RepoTags: []string{"busybox:latest"}})
	for _, name := range []string{"busybox", "busybox:latest", "docker.io/library/busybox", "library/busybox:latest", id, id[7:], id[7:19], id[:19]} {
		if ins, err := svc.Inspect(ctx, name); err != nil || ins.ID != id {
			t.Errorf("Inspect(%q) = %s, %v", name, ins.ID, err)
		}
	}
	// As Docker words it: a bare name is looked up, and reported, as :latest.
	for name, want := range map[string]string{
		"nosuch": "nosuch:latest", "busybox:nosuch": "busybox:nosuch",
		"sha256:" + strings.Repeat("0", 64): "sha256:" + strings.Repeat("0", 64), "ffffffffffff": "ffffffffffff",
	} {
		_, err := svc.Inspect(ctx, name)
		if !errdefs.IsNotFound(err) || err.Error() != "No such image: "+want {
			t.Errorf("Inspect(%q) = %v, want \"No such image: %s\"", name, err, want)
		}
	}
	for _, name := range []string{"UPPER/Case", "a:b:c", "busybox@sha256:123"} {
		if _, err := svc.Inspect(ctx, name); !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), name) {
			t.Errorf("Inspect(%q) = %v, want invalid argument naming it", name, err)
		}
		if err := svc.Tag(ctx, "busybox", name); !errdefs.IsInvalidArgument(err) {
			t.Errorf("Tag(busybox, %q) = %v, want invalid argument", name, err)
		}
	}
}

// TestAmbiguousShortID loads images until two IDs share a first hex digit.
func TestAmbiguousShortID(t *testing.T) {
	ctx := context.Background()
	svc, root := newTestService(t)
	seen := map[byte]string{}
	var prefix string
	for i := 0; prefix == ""; i++ {
		o := testimage.Options{Salt: string(rune('a' + i)), Layers: 2}
		if _, err := svc.Load(ctx, bytes.NewReader(testimage.DockerArchive(t, o))); err != nil {
			t.Fatal(err)
		}
		id := testimage.ID(t, o)[7:]
		if _, dup := seen[id[0]]; dup {
			prefix = id[:1]
		}
		seen[id[0]] = id
	}
	before := takeSnapshot(t, svc, root)
	_, err := svc.Remove(ctx, prefix, true, false)
	if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), "ambiguous") {
		t.Fatalf("Remove(%q) = %v, want an ambiguity error", prefix, err)
	}
	if diff := cmp.Diff(before, takeSnapshot(t, svc, root)); diff != "" {
		t.Errorf("store changed (-before +after):\n%s", diff)
	}
	if _, err := svc.Inspect(ctx, seen[prefix[0]][:12]); err != nil {
		t.Errorf("a longer prefix must resolve: %v", err)
	}
	if errors.Is(err, errdefs.ErrNotFound) {
		t.Error("ambiguity reported as not found")
	}
}
