package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// listLayer returns "name type [link|body]" for each entry of a layer.
func listLayer(t *testing.T, b []byte) []string {
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
		body, _ := io.ReadAll(tr)
		s := hdr.Name + " " + string(hdr.Typeflag)
		if hdr.Linkname != "" {
			s += " " + hdr.Linkname
		}
		if len(body) > 0 {
			s += " " + string(body)
		}
		out = append(out, s)
	}
}

func TestDiffOverlayUpper(t *testing.T) {
	needRoot(t)
	upper := t.TempDir()
	if err := apply(t, upper, WhiteoutOverlay, dir("etc"), file("etc/hosts", "h"), hardlink("etc/hosts2", "etc/hosts"),
		file("etc/.wh.passwd", ""), dir("var"), file("var/.wh..wh..opq", ""), file("var/new", "n"),
		symlink("bin", "usr/bin")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Diff(context.Background(), upper, &buf); err != nil {
		t.Fatal(err)
	}
	got := listLayer(t, buf.Bytes())
	want := []string{"bin 2 usr/bin", "etc/ 5", "etc/hosts 0 h", "etc/hosts2 1 etc/hosts", "etc/.wh.passwd 0",
		"var/ 5", "var/.wh..wh..opq 0", "var/new 0 n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff layer (-want +got):\n%s", diff)
	}
	// Round trip: the layer applied on a copy removes and hides as overlay did.
	lower := t.TempDir()
	apply(t, lower, WhiteoutDelete, dir("etc"), file("etc/passwd", "p"), dir("var"), file("var/old", "o"))
	if _, err := Apply(context.Background(), lower, bytes.NewReader(buf.Bytes()), ApplyOptions{Whiteouts: WhiteoutDelete}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{"etc/passwd": false, "var/old": false, "var/new": true, "etc/hosts2": true} {
		if _, err := os.Lstat(filepath.Join(lower, p)); (err == nil) != want {
			t.Errorf("after round trip %s exists = %v, want %v", p, err == nil, want)
		}
	}
}

func TestDiffTrees(t *testing.T) {
	needRoot(t)
	lower, upper := t.TempDir(), t.TempDir()
	base := []tarEntry{dir("etc"), file("etc/passwd", "p"), file("etc/group", "g"), dir("var"), dir("var/lib"), file("var/lib/db", "d"), file("keep", "k")}
	apply(t, lower, WhiteoutDelete, base...)
	apply(t, upper, WhiteoutDelete, base...)
	os.WriteFile(filepath.Join(upper, "etc/group"), []byte("changed"), 0o644)
	os.RemoveAll(filepath.Join(upper, "var/lib"))
	os.Remove(filepath.Join(upper, "etc/passwd"))
	os.WriteFile(filepath.Join(upper, "new"), []byte("n"), 0o600)
	unix.Lchown(filepath.Join(upper, "keep"), 5, 5)
	var buf bytes.Buffer
	if err := DiffTrees(context.Background(), lower, upper, &buf); err != nil {
		t.Fatal(err)
	}
	got := listLayer(t, buf.Bytes())
	slices.Sort(got)
	want := []string{"etc/ 5", "etc/.wh.passwd 0", "etc/group 0 changed", "keep 0 k", "new 0 n", "var/ 5", "var/.wh.lib 0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DiffTrees layer (-want +got):\n%s", diff)
	}
}

func TestTarRoundTrip(t *testing.T) {
	needRoot(t)
	src := t.TempDir()
	if err := apply(t, src, WhiteoutDelete, dir("bin"), file("bin/busybox", "elf"), hardlink("bin/sh", "bin/busybox"),
		symlink("lib", "usr/lib"), tarEntry{name: "dev/null", typ: tar.TypeChar, mode: 0o666}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Tar(context.Background(), src, &buf); err != nil {
		t.Fatal(err)
	}
	want := []string{"bin/ 5", "bin/busybox 0 elf", "bin/sh 1 bin/busybox", "dev/ 5", "dev/null 3", "lib 2 usr/lib"}
	if diff := cmp.Diff(want, listLayer(t, buf.Bytes())); diff != "" {
		t.Errorf("Tar (-want +got):\n%s", diff)
	}
	if err := Validate(bytes.NewReader(buf.Bytes())); err != nil {
		t.Errorf("Tar output does not validate: %v", err)
	}
}
