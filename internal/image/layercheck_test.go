package image

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
)

// TestLayerCheck: load and import check layers with the rules of unpacking
// (internal/archive), so an image that loads is an image that runs, and
// one that unpack would refuse never loads.
func TestLayerCheck(t *testing.T) {
	sym := func(name, target string) tarEntry {
		return tarEntry{Name: name, Type: tar.TypeSymlink, Linkname: target}
	}
	file := func(name string) tarEntry { return tarEntry{Name: name, Body: []byte("x")} }
	dir := func(name string) tarEntry { return tarEntry{Name: name, Type: tar.TypeDir} }
	hard := func(name, target string) tarEntry { return tarEntry{Name: name, Type: tar.TypeLink, Linkname: target} }
	cases := []struct {
		name    string
		entries []tarEntry
		want    string // "" means accepted
	}{
		{"plain tree", []tarEntry{dir("./"), file("bin/sh"), file("./etc/passwd")}, ""},
		{"root written as /, as umoci does", []tarEntry{dir("/"), dir("bin/")}, ""},
		{"symlinks that stay inside", []tarEntry{sym("bin/sh", "busybox"), sym("lib", "usr/lib"), sym("up", "../..")}, ""},
		// Only stored, as Docker accepts: the container resolves them in
		// its own root.
		{"symlink climbing above the root", []tarEntry{sym("up", "../../../../etc")}, ""},
		{"absolute symlink", []tarEntry{sym("x", "/etc")}, ""},
		{"hard link inside", []tarEntry{file("a"), hard("b", "a")}, ""},
		{"replaced symlink is harmless", []tarEntry{sym("x", "/etc"), file("x"), file("x2")}, ""},
		// A tar made by walking a tree never writes through a symlink of
		// its own layer, wherever it points: refused.
		{"write through inside symlink", []tarEntry{sym("lib", "usr/lib"), file("lib/x.so")}, "written through symlink"},
		{"dot-dot", []tarEntry{file("a/../../b")}, `".."`},
		{"absolute", []tarEntry{file("/etc/passwd")}, "absolute path"},
		{"relative escape", []tarEntry{sym("x", "../../../.."), file("x/etc/passwd")}, "written through symlink"},
		{"absolute target", []tarEntry{sym("x", "/etc"), file("x/passwd")}, "written through symlink"},
		{"chained escape", []tarEntry{sym("a", "b"), sym("b", "c/../.."), file("a/passwd")}, "written through symlink"},
		{"loop", []tarEntry{sym("a", "b"), sym("b", "a"), file("a/x")}, "written through symlink"},
		{"hard link out", []tarEntry{hard("h", "../../etc/shadow")}, "hardlink target"},
		{"hard link absolute", []tarEntry{hard("h", "/etc/shadow")}, "hardlink target"},
		{"hard link through symlink", []tarEntry{sym("x", "/etc"), hard("h", "x/shadow")}, "written through symlink"},
	}
	for _, tc := range cases {
		err := scanLayer(bytes.NewReader(makeTar(t, tc.entries))).err
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: rejected: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errdefs.IsInvalidArgument(err)):
			t.Errorf("%s: got %v, want an invalid-argument error containing %q", tc.name, err, tc.want)
		}
	}
}
