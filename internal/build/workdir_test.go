package build

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/containerd/errdefs"
	"golang.org/x/sys/unix"
)

// makeWorkdir on a plain directory standing for an image's root: modes
// and owners whatever the umask, symlinks resolved inside the root (also
// dangling ones and ones aimed out of it), files on the path refused.
func TestMakeWorkdir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: WORKDIR's directories are chowned to root")
	}
	root := t.TempDir()
	outside := t.TempDir() // what an unconfined link would reach
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	must(os.WriteFile(filepath.Join(root, "etc/passwd"), nil, 0o644))
	must(os.Symlink("../../../../../../../.."+outside, filepath.Join(root, "up")))
	must(os.Symlink(outside, filepath.Join(root, "abs")))
	must(os.Symlink("/etc/passwd", filepath.Join(root, "file-link")))
	must(os.Chown(filepath.Join(root, "etc"), 1000, 1000)) // an existing dir keeps its owner

	old := unix.Umask(0o077)
	t.Cleanup(func() { unix.Umask(old) })
	for _, wd := range []string{"/a/b/c", "/up/x", "/abs/y/z", "/etc/new"} {
		if err := makeWorkdir(root, wd); err != nil {
			t.Errorf("makeWorkdir(%s): %v", wd, err)
		}
	}
	for _, d := range []string{"a", "a/b", "a/b/c", "etc/new", outside[1:], outside[1:] + "/x", outside[1:] + "/y/z"} {
		fi, err := os.Lstat(filepath.Join(root, d))
		if err != nil {
			t.Errorf("/%s was not created in the root: %v", d, err)
			continue
		}
		st := fi.Sys().(*syscall.Stat_t)
		if !fi.IsDir() || fi.Mode().Perm() != 0o755 || st.Uid != 0 || st.Gid != 0 {
			t.Errorf("/%s: mode %v owner %d:%d, want a 0755 directory of root", d, fi.Mode(), st.Uid, st.Gid)
		}
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("a link out of the root created %v outside it", ents)
	}
	if fi, _ := os.Stat(filepath.Join(root, "etc")); fi.Sys().(*syscall.Stat_t).Uid != 1000 {
		t.Error("makeWorkdir chowned a directory that existed")
	}

	for wd, bad := range map[string]string{
		"/etc/passwd": "/etc/passwd", "/etc/passwd/x/y": "/etc/passwd", "/file-link": "/file-link", "/file-link/x": "/file-link",
	} {
		err := makeWorkdir(root, wd)
		if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), "cannot mkdir: "+bad+" is not a directory") {
			t.Errorf("makeWorkdir(%s) = %v, want it to name %s", wd, err, bad)
		}
	}
	if _, err := os.Lstat(filepath.Join(root, "etc/passwd/x")); err == nil {
		t.Error("a failed WORKDIR left a directory")
	}
}
