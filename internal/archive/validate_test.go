package archive

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/klauspost/compress/zstd"
)

// maliciousLayers are layers every reader and writer of berth must refuse;
// wantInName is the entry the error must name.
var maliciousLayers = []struct {
	name       string
	entries    []tarEntry
	wantInName string
}{
	{"dotdot", []tarEntry{file("../evil", "x")}, "../evil"},
	{"dotdot in the middle", []tarEntry{dir("a"), file("a/../../evil", "x")}, "a/../../evil"},
	{"absolute", []tarEntry{file("/etc/evil", "x")}, "/etc/evil"},
	{"symlink then write", []tarEntry{symlink("etc", "/etc"), file("etc/passwd", "root::0:0::/:/bin/sh")}, "etc/passwd"},
	{"relative symlink out then write", []tarEntry{symlink("up", "../../../../tmp"), file("up/x", "x")}, "up/x"},
	{"relative symlink out then hardlink", []tarEntry{symlink("up", "../../../../etc"), hardlink("pw", "up/passwd")}, "pw"},
	{"symlink then write deeper", []tarEntry{dir("a"), symlink("a/b", "/"), file("a/b/c/d", "x")}, "a/b/c/d"},
	{"symlink chain", []tarEntry{symlink("l1", "l2"), symlink("l2", "/tmp"), file("l1/x", "x")}, "l1/x"},
	{"symlink then dir then write", []tarEntry{symlink("s", "/"), dir("s/etc")}, "s/etc"},
	{"hardlink out", []tarEntry{hardlink("pw", "../../etc/passwd")}, "pw"},
	{"hardlink absolute", []tarEntry{hardlink("pw", "/etc/passwd")}, "pw"},
	{"hardlink through symlink", []tarEntry{symlink("s", "/etc"), hardlink("pw", "s/passwd")}, "pw"},
	{"whiteout dotdot", []tarEntry{dir("a"), file("a/.wh..", "")}, "a/.wh.."},
	{"whiteout escaping", []tarEntry{file(".wh.../..", "")}, ".wh.../.."},
	{"whiteout through symlink", []tarEntry{symlink("s", "/etc"), file("s/.wh.passwd", "")}, "s/.wh.passwd"},
	{"empty name", []tarEntry{file("", "x")}, `""`},
	{"sparse", []tarEntry{{name: "huge", typ: tar.TypeReg, xattrs: nil, body: "", mode: 0o644, sparse: true}}, "huge"},
}

func TestValidateRefusesMaliciousLayers(t *testing.T) {
	for _, tc := range maliciousLayers {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(bytes.NewReader(makeTar(t, tc.entries...)))
			if !errdefs.IsInvalidArgument(err) {
				t.Fatalf("Validate = %v, want an invalid-argument error", err)
			}
			if !strings.Contains(err.Error(), tc.wantInName) {
				t.Errorf("error %q does not name entry %q", err, tc.wantInName)
			}
		})
	}
}

func TestValidateAcceptsOrdinaryLayers(t *testing.T) {
	layer := makeTar(t,
		dir("./"), dir("/"), dir("bin"), file("bin/busybox", "elf"), hardlink("bin/sh", "bin/busybox"),
		symlink("lib", "usr/lib"), symlink("abs", "/usr/bin/env"), symlink("usr/up", "../etc"),
		// Only stored: a symlink climbing above the root, as Docker allows.
		symlink("up", "../../../../etc"), symlink("usr/upabs", "/../../etc"),
		dir("usr/lib"), file("usr/lib/libc.so", "x"),
		tarEntry{name: "dev/null", typ: tar.TypeChar, mode: 0o666},
		tarEntry{name: "dev/sda", typ: tar.TypeBlock, mode: 0o660},
		tarEntry{name: "fifo", typ: tar.TypeFifo},
		file("etc/.wh.old", ""), file("var/.wh..wh..opq", ""), file(".wh..wh.plnk", ""),
		// A symlink replaced by a directory may be written through.
		symlink("x", "/etc"), dir("x"), file("x/y", "ok"),
	)
	for name, data := range map[string][]byte{"plain": layer, "gzip": gzipped(t, layer), "zstd": zstded(t, layer)} {
		if err := Validate(bytes.NewReader(data)); err != nil {
			t.Errorf("%s: Validate = %v, want nil", name, err)
		}
	}
}

func TestValidateRefusesBrokenStreams(t *testing.T) {
	layer := makeTar(t, file("a", strings.Repeat("x", 4096)), file("b", "y"))
	gz := gzipped(t, layer)
	for name, data := range map[string][]byte{
		"empty":          nil,
		"not a tar":      []byte(strings.Repeat("this is not a tar archive\n", 40)),
		"truncated":      layer[:1500],
		"truncated gzip": gz[:len(gz)/2],
		"gzip lost crc":  gz[:len(gz)-4],
		"bzip2":          []byte("BZh91AY&SY"),
	} {
		if err := Validate(bytes.NewReader(data)); !errdefs.IsInvalidArgument(err) {
			t.Errorf("%s: Validate = %v, want an invalid-argument error", name, err)
		}
	}
}

func zstded(t testing.TB, b []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	return zw.EncodeAll(b, nil)
}

func FuzzValidate(f *testing.F) {
	f.Add(makeTar(f, dir("a"), file("a/b", "c"), symlink("l", "/x")))
	for _, tc := range maliciousLayers {
		f.Add(makeTar(f, tc.entries...))
	}
	f.Add(gzipped(f, makeTar(f, file("x", "y"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := Validate(bytes.NewReader(data))
		if err != nil && !errdefs.IsInvalidArgument(err) {
			t.Fatalf("Validate error not classified: %v", err)
		}
	})
}
