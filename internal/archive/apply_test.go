package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/containerd/errdefs"
	"golang.org/x/sys/unix"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates device nodes, chowns and sets trusted.* xattrs")
	}
}

func apply(t *testing.T, dir string, mode WhiteoutMode, entries ...tarEntry) error {
	t.Helper()
	_, err := Apply(context.Background(), dir, bytes.NewReader(makeTar(t, entries...)), ApplyOptions{Whiteouts: mode})
	return err
}

func lstat(t *testing.T, p string) *unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatalf("lstat %s: %v", p, err)
	}
	return &st
}

func TestApplyKeepsMetadata(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	err := apply(t, dir, WhiteoutOverlay,
		tarEntry{name: "bin/", typ: tar.TypeDir, mode: 0o750, uid: 7, gid: 8},
		tarEntry{name: "bin/su", typ: tar.TypeReg, body: "su", mode: 0o4755, uid: 0, gid: 0},
		tarEntry{name: "bin/owned", typ: tar.TypeReg, body: "abc", mode: 0o640, uid: 1000, gid: 1001,
			xattrs: map[string]string{"user.note": "hi", "security.capability": "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"}},
		hardlink("bin/again", "bin/owned"),
		symlink("bin/sh", "/bin/su"),
		tarEntry{name: "dev/null", typ: tar.TypeChar, mode: 0o666},
		tarEntry{name: "fifo", typ: tar.TypeFifo, mode: 0o600},
	)
	if err != nil {
		t.Fatal(err)
	}
	if st := lstat(t, filepath.Join(dir, "bin")); st.Mode&0o7777 != 0o750 || st.Uid != 7 || st.Gid != 8 || st.Mtim.Sec != testTime.Unix() {
		t.Errorf("bin: mode %o uid %d gid %d mtime %d", st.Mode&0o7777, st.Uid, st.Gid, st.Mtim.Sec)
	}
	if st := lstat(t, filepath.Join(dir, "bin/su")); st.Mode&0o7777 != 0o4755 {
		t.Errorf("bin/su mode %o, want 4755 (setuid kept)", st.Mode&0o7777)
	}
	owned, again := lstat(t, filepath.Join(dir, "bin/owned")), lstat(t, filepath.Join(dir, "bin/again"))
	if owned.Uid != 1000 || owned.Gid != 1001 || owned.Mode&0o777 != 0o640 || owned.Ino != again.Ino {
		t.Errorf("bin/owned uid %d gid %d mode %o ino %d, bin/again ino %d", owned.Uid, owned.Gid, owned.Mode&0o777, owned.Ino, again.Ino)
	}
	buf := make([]byte, 16)
	if n, err := unix.Lgetxattr(filepath.Join(dir, "bin/owned"), "user.note", buf); err != nil || string(buf[:n]) != "hi" {
		t.Errorf("xattr user.note = %q, %v", buf[:n], err)
	}
	if target, err := os.Readlink(filepath.Join(dir, "bin/sh")); err != nil || target != "/bin/su" {
		t.Errorf("bin/sh -> %q, %v", target, err)
	}
	if st := lstat(t, filepath.Join(dir, "dev/null")); st.Mode&unix.S_IFMT != unix.S_IFCHR {
		t.Errorf("dev/null is not a character device: %o", st.Mode)
	}
	if st := lstat(t, filepath.Join(dir, "fifo")); st.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Errorf("fifo is not a fifo: %o", st.Mode)
	}
}

func TestApplyRefusesMaliciousLayers(t *testing.T) {
	needRoot(t)
	for _, tc := range maliciousLayers {
		t.Run(tc.name, func(t *testing.T) {
			outer := t.TempDir()
			dir := filepath.Join(outer, "layer")
			os.Mkdir(dir, 0o755)
			err := apply(t, dir, WhiteoutDelete, tc.entries...)
			if !errdefs.IsInvalidArgument(err) {
				t.Fatalf("Apply = %v, want an invalid-argument error", err)
			}
			names, _ := os.ReadDir(outer)
			if len(names) != 1 {
				t.Errorf("Apply wrote next to the layer directory: %v", names)
			}
		})
	}
}

// A symlink of the tree below (not of the layer itself) must be resolved
// inside the root, as the container would see it.
func TestApplyResolvesLowerSymlinksInsideRoot(t *testing.T) {
	needRoot(t)
	outside := t.TempDir()
	dir := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "etc")); err != nil {
		t.Fatal(err)
	}
	os.Symlink("../../../../../../"+outside, filepath.Join(dir, "rel"))
	// pathrs refuses to create directories through a dangling symlink, so
	// the target exists inside the root as the container would see it.
	os.MkdirAll(filepath.Join(dir, outside), 0o755)
	if err := apply(t, dir, WhiteoutDelete, file("etc/passwd", "x"), file("rel/shadow", "y"),
		hardlink("etc/group", "rel/shadow"), file("etc/.wh.keep", "")); err != nil {
		t.Fatal(err)
	}
	if names, _ := os.ReadDir(outside); len(names) != 0 {
		t.Fatalf("Apply wrote outside the root through a lower symlink: %v", names)
	}
	for _, p := range []string{"etc/passwd", "rel/shadow", "etc/group"} {
		if _, err := os.Stat(filepath.Join(dir, outside, filepath.Base(p))); err != nil {
			t.Errorf("%s not written inside the root: %v", p, err)
		}
	}
}

func TestApplyOverlayWhiteouts(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	if err := apply(t, dir, WhiteoutOverlay, dir_("etc"), file("etc/.wh.passwd", ""),
		dir_("var"), file("var/.wh..wh..opq", ""), file("var/new", "n")); err != nil {
		t.Fatal(err)
	}
	st := lstat(t, filepath.Join(dir, "etc/passwd"))
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Errorf("etc/passwd is not an overlay whiteout: mode %o rdev %d", st.Mode, st.Rdev)
	}
	if _, err := os.Lstat(filepath.Join(dir, "etc/.wh.passwd")); !os.IsNotExist(err) {
		t.Errorf(".wh. file itself was written: %v", err)
	}
	buf := make([]byte, 4)
	if n, err := unix.Lgetxattr(filepath.Join(dir, "var"), OverlayOpaqueXattr, buf); err != nil || string(buf[:n]) != "y" {
		t.Errorf("var opaque xattr = %q, %v", buf[:n], err)
	}
}

func TestApplyDeleteWhiteouts(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	if err := apply(t, dir, WhiteoutDelete, dir_("etc"), file("etc/passwd", "p"), file("etc/group", "g"),
		dir_("var"), file("var/old", "o"), dir_("var/cache"), file("var/cache/x", "x")); err != nil {
		t.Fatal(err)
	}
	if err := apply(t, dir, WhiteoutDelete, file("etc/.wh.passwd", ""), file(".wh.nothing", ""),
		dir_("var"), file("var/new", "n"), file("var/.wh..wh..opq", ""), file("var/newer", "n")); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error {
		rel, _ := filepath.Rel(dir, p)
		got[rel] = true
		return nil
	})
	want := map[string]bool{".": true, "etc": true, "etc/group": true, "var": true, "var/new": true, "var/newer": true}
	if len(got) != len(want) {
		t.Errorf("tree after whiteouts = %v, want %v", got, want)
	}
	for p := range want {
		if !got[p] {
			t.Errorf("missing %s (tree %v)", p, got)
		}
	}
}

func TestApplyReplacesEntries(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	if err := apply(t, dir, WhiteoutDelete, dir_("a"), file("a/x", "x"), file("b", "old"), symlink("c", "/etc/passwd")); err != nil {
		t.Fatal(err)
	}
	if err := apply(t, dir, WhiteoutDelete, file("a", "now a file"), dir_("b"), file("c", "not through the link")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a")); string(b) != "now a file" {
		t.Errorf("a = %q", b)
	}
	if st := lstat(t, filepath.Join(dir, "c")); st.Mode&unix.S_IFMT != unix.S_IFREG {
		t.Errorf("c was not replaced by a regular file: %o", st.Mode)
	}
}

func TestApplyTruncated(t *testing.T) {
	dir := t.TempDir()
	layer := makeTar(t, file("a", string(make([]byte, 5000))))
	_, err := Apply(context.Background(), dir, bytes.NewReader(layer[:2000]), ApplyOptions{})
	if !errdefs.IsInvalidArgument(err) {
		t.Fatalf("Apply of a truncated layer = %v, want invalid argument", err)
	}
}

func FuzzApply(f *testing.F) {
	f.Add(makeTar(f, dir_("a"), file("a/b", "c"), symlink("l", "/x"), hardlink("h", "a/b"), file("a/.wh.b", "")))
	for _, tc := range maliciousLayers {
		f.Add(makeTar(f, tc.entries...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		outer := t.TempDir()
		dir := filepath.Join(outer, "root")
		os.Mkdir(dir, 0o755)
		Apply(context.Background(), dir, bytes.NewReader(data), ApplyOptions{Whiteouts: WhiteoutDelete})
		if names, _ := os.ReadDir(outer); len(names) != 1 {
			t.Fatalf("Apply wrote outside its root: %v", names)
		}
	})
}

func dir_(name string) tarEntry { return dir(name) }
