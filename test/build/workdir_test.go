package build_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/build"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
)

// dockerfileDir is a build context holding only the given Dockerfile.
func dockerfileDir(t *testing.T, dockerfile string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// historyOf finds the history entry created by createdBy.
func historyOf(t *testing.T, c dockerspec.DockerOCIImage, createdBy string) (empty bool) {
	t.Helper()
	for _, h := range c.History {
		if h.CreatedBy == createdBy {
			return h.EmptyLayer
		}
	}
	t.Fatalf("no history entry %q in %+v", createdBy, c.History)
	return false
}

// checkDir checks that rel is a directory of root with Docker's WORKDIR
// mode and owner.
func checkDir(t *testing.T, root, rel string) {
	t.Helper()
	fi, err := os.Lstat(filepath.Join(root, rel))
	if err != nil {
		t.Errorf("the image lacks /%s: %v", rel, err)
		return
	}
	if !fi.IsDir() || fi.Mode().Perm() != 0o755 || statOwner(fi) != [2]uint32{0, 0} {
		t.Errorf("/%s: mode %v owner %v, want a 0755 directory owned by 0:0", rel, fi.Mode(), statOwner(fi))
	}
}

// WORKDIR creates its directory (and missing parents) as root with mode
// 0755, relative to the previous WORKDIR and after variable expansion,
// in a layer of its own; a WORKDIR that exists makes no layer; a rebuild
// is fully cached.
func TestWorkdirCreatesItsDirectory(t *testing.T) {
	e := newEnv(t)
	dir := dockerfileDir(t, `FROM busybox
ENV BASE=/a
WORKDIR $BASE/b
RUN pwd > /pwd.txt
USER nobody
WORKDIR c/d
WORKDIR /tmp
`)
	id, out := e.mustBuild(dir, build.Options{Tags: []string{"wd:v1"}})
	if !strings.Contains(out, "Step 3/7 : WORKDIR $BASE/b\n ---> Running in ") || strings.Count(out, "Removed intermediate container") != 4 {
		t.Errorf("output of the WORKDIR steps is not the classic builder's:\n%s", out)
	}
	c := e.config("wd:v1")
	if c.Config.WorkingDir != "/tmp" || c.Config.User != "nobody" {
		t.Errorf("WorkingDir %q User %q", c.Config.WorkingDir, c.Config.User)
	}
	// Docker's WORKDIR history has one space after #(nop); a directory
	// made is a layer, an existing one is not.
	for createdBy, empty := range map[string]bool{
		"/bin/sh -c #(nop) WORKDIR /a/b":     false,
		"/bin/sh -c #(nop) WORKDIR /a/b/c/d": false,
		"/bin/sh -c #(nop) WORKDIR /tmp":     true,
	} {
		if got := historyOf(t, c, createdBy); got != empty {
			t.Errorf("%q: empty_layer %v, want %v", createdBy, got, empty)
		}
	}
	if n := len(c.RootFS.DiffIDs); n != 4 {
		t.Errorf("%d layers, want 4 (base, WORKDIR /a/b, RUN, WORKDIR c/d)", n)
	}
	root := e.rootfs("wd:v1")
	for _, d := range []string{"a", "a/b", "a/b/c", "a/b/c/d"} {
		checkDir(t, root, d) // root's, though USER nobody came first
	}
	if got := readFile(t, root, "pwd.txt"); got != "/a/b\n" {
		t.Errorf("RUN pwd after WORKDIR printed %q", got)
	}

	id2, out := e.mustBuild(dir, build.Options{})
	if id2 != id || strings.Contains(out, "Running in") || strings.Count(out, "Using cache") != 6 {
		t.Errorf("the rebuild was not fully cached (%s, then %s):\n%s", id, id2, out)
	}
}

// A stage from scratch gets its WORKDIR too: the image's only layer,
// under the stage's SHELL in the history.
func TestWorkdirOnScratch(t *testing.T) {
	e := newEnv(t)
	e.mustBuild(dockerfileDir(t, "FROM scratch\nSHELL [\"/bin/ash\", \"-ec\"]\nWORKDIR /app/data\n"), build.Options{Tags: []string{"wd:scratch"}})
	c := e.config("wd:scratch")
	if c.Config.WorkingDir != "/app/data" || len(c.RootFS.DiffIDs) != 1 {
		t.Errorf("WorkingDir %q, %d layers", c.Config.WorkingDir, len(c.RootFS.DiffIDs))
	}
	// Docker words the entry with the stage's SHELL.
	if empty := historyOf(t, c, "/bin/ash -ec #(nop) WORKDIR /app/data"); empty {
		t.Error("WORKDIR /app/data on scratch: empty_layer")
	}
	checkDir(t, e.rootfs("wd:scratch"), "app/data")
}

// A WORKDIR naming a file, or a path through one, fails naming the file
// and leaves nothing behind.
func TestWorkdirOverAFileFails(t *testing.T) {
	e := newEnv(t)
	for _, wd := range []string{"/etc/passwd", "/etc/passwd/sub", "passwd/sub"} {
		dir := dockerfileDir(t, "FROM busybox\nWORKDIR /etc\nWORKDIR "+wd+"\nRUN echo never\n")
		out, err := expectFailure(t, e, dir, build.Options{Tags: []string{"never"}})
		if !isInvalid(err) || !strings.Contains(err.Error(), "Dockerfile:3: WORKDIR "+wd+": cannot mkdir: /etc/passwd is not a directory") {
			t.Errorf("WORKDIR %s: error %v", wd, err)
		}
		if strings.Contains(out, "never") {
			t.Errorf("WORKDIR %s: the build went on:\n%s", wd, out)
		}
	}
	if _, err := e.images.Get(t.Context(), "never"); err == nil {
		t.Error("a failed build tagged its image")
	}
}

// Symlinks in a WORKDIR resolve inside the image's root, as they would
// in the container: one pointing out of it (relative or absolute) creates
// the directory inside, never on the host.
func TestWorkdirSymlinkStaysInside(t *testing.T) {
	e := newEnv(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "berth-wd-escape-" + hex.EncodeToString(b)
	t.Cleanup(func() { os.RemoveAll("/" + name) }) // only if the test fails
	dir := dockerfileDir(t, fmt.Sprintf(`FROM busybox
RUN ln -s ../../../../../../../../../../%[1]s /up && ln -s /%[1]s-abs /abs
WORKDIR /up/sub
WORKDIR /abs/sub
RUN pwd -P > /pwd.txt
`, name))
	e.mustBuild(dir, build.Options{Tags: []string{"wd:sym"}})
	for _, host := range []string{"/" + name, "/" + name + "-abs"} {
		if _, err := os.Lstat(host); err == nil {
			t.Errorf("WORKDIR through a symlink created %s on the host", host)
		}
	}
	root := e.rootfs("wd:sym")
	checkDir(t, root, name+"/sub")
	checkDir(t, root, name+"-abs/sub")
	if got := readFile(t, root, "pwd.txt"); got != "/"+name+"-abs/sub\n" {
		t.Errorf("RUN pwd -P = %q", got)
	}
	if fi, err := os.Lstat(filepath.Join(root, "up")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("/up is no longer a symlink: %v", err)
	}
}
