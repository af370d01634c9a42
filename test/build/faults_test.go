package build_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/build"
	"github.com/containerd/errdefs"
	"github.com/moby/sys/mountinfo"
)

func writeTar(t *testing.T, path string, gz bool, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write([]byte(data))
	}
	tw.Close()
	b := buf.Bytes()
	if gz {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b)
		zw.Close()
		b = z.Bytes()
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAddExtractsLocalArchives(t *testing.T) {
	e := newEnv(t)
	dir := e.caseDir("addtar")
	writeTar(t, filepath.Join(dir, "bundle.tar.gz"), true, map[string]string{"bundle/readme": "gz\n"})
	writeTar(t, filepath.Join(dir, "plain.tar"), false, map[string]string{"p.txt": "plain\n"})
	e.mustBuild(dir, build.Options{Tags: []string{"addtar"}})
	root := e.rootfs("addtar")
	for name, want := range map[string]string{"opt/bundle/readme": "gz\n", "plain/p.txt": "plain\n", "notatar.txt": "just text\n"} {
		if got := readFile(t, root, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// expectFailure builds a case that must fail and checks that nothing was
// left: no new image, no container state, no mount, no writable layer.
func expectFailure(t *testing.T, e *env, dir string, opts build.Options) (string, error) {
	t.Helper()
	before := e.imageCount()
	_, rep, err := e.build(dir, opts)
	if err == nil {
		t.Fatalf("build of %s succeeded:\n%s", dir, rep)
	}
	if n := e.imageCount(); n != before {
		t.Errorf("a failed build left %d image(s)", n-before)
	}
	if cs := e.containers(); len(cs) != 0 {
		t.Errorf("a failed build left containers: %v", cs)
	}
	if ms, _ := mountinfo.GetMounts(mountinfo.PrefixFilter(e.root)); len(ms) != 0 {
		t.Errorf("a failed build left mounts: %v", ms)
	}
	if ents, _ := os.ReadDir(filepath.Join(e.root, "builder", "tmp")); len(ents) != 0 {
		t.Errorf("a failed build left scratch dirs: %v", ents)
	}
	return rep.String(), err
}

func TestAddUnreachableURLFailsClearly(t *testing.T) {
	e := newEnv(t)
	_, err := expectFailure(t, e, e.caseDir("addurl"), build.Options{Tags: []string{"never"}})
	if !strings.Contains(err.Error(), "http://127.0.0.1:1/unreachable.txt") || !errors.Is(err, errdefs.ErrUnavailable) {
		t.Errorf("error = %v", err)
	}
}

func TestBadDockerfilesNameTheLine(t *testing.T) {
	e := newEnv(t)
	for name, want := range map[string]string{
		"bad-unknown": "Dockerfile: dockerfile parse error on line 3: unknown instruction: FROBNICATE",
		"bad-syntax":  "Dockerfile: dockerfile parse error on line 2: ENV requires at least one argument",
	} {
		_, err := expectFailure(t, e, e.caseDir(name), build.Options{Tags: []string{"never"}})
		if !isInvalid(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q, want it to contain %q", name, err, want)
		}
	}
}

func TestRunFailureShowsCommandAndCode(t *testing.T) {
	e := newEnv(t)
	out, err := expectFailure(t, e, e.caseDir("run-fails"), build.Options{Tags: []string{"never"}})
	if err.Error() != "The command '/bin/sh -c echo failing && exit 3' returned a non-zero code: 3" {
		t.Errorf("error = %q", err)
	}
	if !strings.Contains(out, "failing\n") {
		t.Errorf("the failing step's output is missing:\n%s", out)
	}
}

func TestCopyMissingSourceNamesIt(t *testing.T) {
	e := newEnv(t)
	_, err := expectFailure(t, e, e.caseDir("copy-missing"), build.Options{})
	if !errors.Is(err, errdefs.ErrNotFound) || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("error = %v", err)
	}
}

// A symlink in the context cannot make COPY read outside it.
func TestContextSymlinkStaysInside(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox\nCOPY escape /escape\nCOPY ../../etc/hostname /h\n"), 0o644)
	os.Symlink("/etc/passwd", filepath.Join(dir, "escape"))
	os.WriteFile(filepath.Join(dir, "hostname"), []byte("x"), 0o644)
	_, rep, err := e.build(dir, build.Options{Tags: []string{"sym"}})
	if err == nil {
		// The link resolves inside the context, where etc/passwd is absent.
		t.Fatalf("COPY through a symlink out of the context succeeded:\n%s", rep)
	}
	if !errdefs.IsNotFound(err) {
		t.Errorf("error = %v", err)
	}
}

// Cancelling a build (the client went away, Ctrl-C) kills its RUN and
// cleans up.
func TestCancelledBuildCleansUp(t *testing.T) {
	e := newEnv(t)
	_, cancel, done := e.buildUntil(t, "FROM busybox\nRUN echo $((6*7)) ready && sleep 60\n", "42 ready")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled build returned %v", err)
	}
	if cs := e.containers(); len(cs) != 0 {
		t.Errorf("containers left: %v", cs)
	}
	if ms, _ := mountinfo.GetMounts(mountinfo.PrefixFilter(e.root)); len(ms) != 0 {
		t.Errorf("mounts left: %v", ms)
	}
}
