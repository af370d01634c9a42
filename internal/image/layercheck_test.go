package image

import (
	"archive/tar"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
)

func TestLayerChecker(t *testing.T) {
	sym := func(name, target string) *tar.Header {
		return &tar.Header{Name: name, Typeflag: tar.TypeSymlink, Linkname: target}
	}
	file := func(name string) *tar.Header { return &tar.Header{Name: name, Typeflag: tar.TypeReg} }
	hard := func(name, target string) *tar.Header {
		return &tar.Header{Name: name, Typeflag: tar.TypeLink, Linkname: target}
	}
	cases := []struct {
		name    string
		entries []*tar.Header
		want    string // "" means accepted
	}{
		{"plain tree", []*tar.Header{file("./"), file("bin/sh"), file("./etc/passwd")}, ""},
		{"root written as /, as umoci does", []*tar.Header{file("/"), file("bin/")}, ""},
		{"symlinks that stay inside", []*tar.Header{sym("bin/sh", "busybox"), sym("lib", "usr/lib"), sym("up", "../..")}, ""},
		{"write through inside symlink", []*tar.Header{sym("lib", "usr/lib"), file("lib/x.so")}, ""},
		{"write through ../ that stays inside", []*tar.Header{sym("a/b", "../c"), file("a/b/x")}, ""},
		{"hard link inside", []*tar.Header{file("a"), hard("b", "a")}, ""},
		{"dot-dot", []*tar.Header{file("a/../../b")}, `".."`},
		{"absolute", []*tar.Header{file("/etc/passwd")}, "absolute path"},
		{"relative escape", []*tar.Header{sym("x", "../../../.."), file("x/etc/passwd")}, "through a symlink"},
		{"absolute target", []*tar.Header{sym("x", "/etc"), file("x/passwd")}, "through a symlink"},
		{"chained escape", []*tar.Header{sym("a", "b"), sym("b", "c/../.."), file("a/passwd")}, "through a symlink"},
		{"loop", []*tar.Header{sym("a", "b"), sym("b", "a"), file("a/x")}, "through a symlink"},
		{"replaced symlink is harmless", []*tar.Header{sym("x", "/etc"), file("x"), file("y")}, ""},
		{"hard link out", []*tar.Header{hard("h", "../../etc/shadow")}, "hard link"},
		{"hard link absolute", []*tar.Header{hard("h", "/etc/shadow")}, "hard link"},
		{"hard link through symlink", []*tar.Header{sym("x", "/etc"), hard("h", "x/shadow")}, "hard link"},
	}
	for _, tc := range cases {
		c := newLayerChecker()
		var err error
		for _, h := range tc.entries {
			if err = c.check(h); err != nil {
				break
			}
		}
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: rejected: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errdefs.IsInvalidArgument(err)):
			t.Errorf("%s: got %v, want an invalid-argument error containing %q", tc.name, err, tc.want)
		}
	}
}
