package build_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berthproject/berth/internal/archive"
	"github.com/berthproject/berth/internal/build"
	"github.com/berthproject/berth/internal/content"
	"github.com/berthproject/berth/internal/image"
	"github.com/berthproject/berth/internal/snapshot"
	"github.com/berthproject/berth/internal/store"
	"github.com/berthproject/berth/test/testimage"
	"github.com/containerd/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
)

// env is a builder over stores of its own, with busybox:latest imported.
type env struct {
	t    *testing.T
	root string
	// copySnapshots selects the copy snapshotter (overlay's fallback).
	copySnapshots bool
	// networks puts RUN steps on a default bridge network (nil: loopback only).
	networks build.NetworkAttacher
	db       *store.DB
	images   *image.Service
	b        *build.Builder
}

func newEnv(t *testing.T) *env {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: builds mount overlayfs and run containers")
	}
	ctx := context.Background()
	root := t.TempDir()
	db, err := store.Open(filepath.Join(root, "metadata.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cs, err := content.Open(filepath.Join(root, "content"))
	if err != nil {
		t.Fatal(err)
	}
	images, err := image.NewService(db, cs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := images.Import(ctx, bytes.NewReader(testimage.RootfsTar(t)), image.ImportOptions{Ref: "busybox:latest", Changes: []string{`CMD ["sh"]`}}); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, root: root, db: db, images: images}
	e.b = e.newBuilder()
	return e
}

// newBuilder opens a builder on the env's stores, as a daemon start does.
func (e *env) newBuilder() *build.Builder {
	e.t.Helper()
	ctx := context.Background()
	var sn snapshot.Snapshotter
	var err error
	if e.copySnapshots {
		sn, err = snapshot.NewCopy(ctx, filepath.Join(e.root, "builder"))
	} else {
		sn, err = snapshot.New(ctx, filepath.Join(e.root, "builder"))
	}
	if err != nil {
		e.t.Fatal(err)
	}
	b, err := build.New(ctx, build.Config{
		Images: e.images, DB: e.db, Snapshots: sn,
		Runc: runcBin, RuntimeRoot: e.runtimeRoot(), Networks: e.networks,
		WorkDir: filepath.Join(e.root, "builder", "tmp"),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// report collects a build's output.
type report struct {
	mu  sync.Mutex
	buf bytes.Buffer
	id  string
}

func (r *report) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

func (r *report) ImageID(id string) { r.id = id }

func (r *report) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

// caseDir copies cases/<name> into a scratch dir the test may change.
func (e *env) caseDir(name string) string {
	e.t.Helper()
	dst := filepath.Join(e.t.TempDir(), name)
	if out, err := exec.Command("cp", "-a", filepath.Join("cases", name), dst).CombinedOutput(); err != nil {
		e.t.Fatalf("copy case %s: %v: %s", name, err, out)
	}
	return dst
}

// build builds the context dir with opts and returns the output.
func (e *env) build(dir string, opts build.Options) (string, *report, error) {
	e.t.Helper()
	var ctxTar bytes.Buffer
	if err := archive.Tar(context.Background(), dir, &ctxTar); err != nil {
		e.t.Fatal(err)
	}
	rep := &report{}
	id, err := e.b.Build(context.Background(), &ctxTar, opts, rep)
	return id, rep, err
}

// mustBuild builds and fails the test on error.
func (e *env) mustBuild(dir string, opts build.Options) (string, string) {
	e.t.Helper()
	id, rep, err := e.build(dir, opts)
	if err != nil {
		e.t.Fatalf("build %s: %v\noutput:\n%s", dir, err, rep)
	}
	if rep.id != id || !strings.Contains(rep.String(), "Successfully built ") {
		e.t.Fatalf("build %s: id %q, reported %q, output:\n%s", dir, id, rep.id, rep)
	}
	return id, rep.String()
}

// config returns an image's parsed config.
func (e *env) config(name string) dockerspec.DockerOCIImage {
	e.t.Helper()
	img, err := e.images.Get(context.Background(), name)
	if err != nil {
		e.t.Fatal(err)
	}
	var c dockerspec.DockerOCIImage
	if err := json.Unmarshal(img.ConfigBytes, &c); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// files returns the files of an image's root filesystem (all layers
// applied) with their contents, by unpacking its layers into a dir.
func (e *env) rootfs(name string) string {
	e.t.Helper()
	ctx := context.Background()
	img, err := e.images.Get(ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	dir := e.t.TempDir()
	for _, l := range img.Layers {
		r, err := e.images.OpenBlob(ctx, l.Digest)
		if err != nil {
			e.t.Fatal(err)
		}
		_, err = archive.Apply(ctx, dir, r, archive.ApplyOptions{Whiteouts: archive.WhiteoutDelete})
		r.Close()
		if err != nil {
			e.t.Fatal(err)
		}
	}
	return dir
}

// imageCount is the number of images in the store.
func (e *env) imageCount() int {
	e.t.Helper()
	n, err := e.images.Count(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func isInvalid(err error) bool { return errors.Is(err, errdefs.ErrInvalidArgument) }

func tarDir(dir string, w *bytes.Buffer) error {
	return archive.Tar(context.Background(), dir, w)
}

// runtimeRoot is berth-runc's state directory for the env's builders.
func (e *env) runtimeRoot() string { return filepath.Join(e.root, "run") }

// containers lists the containers berth-runc knows in the builder's
// state directory.
func (e *env) containers() []string {
	e.t.Helper()
	if _, err := os.Stat(e.runtimeRoot()); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	out, err := exec.Command(runcBin, "--root", e.runtimeRoot(), "list", "-q").CombinedOutput()
	if err != nil {
		e.t.Fatalf("berth-runc list: %v: %s", err, out)
	}
	return strings.Fields(string(out))
}

// buildUntil starts a build of dockerfile in the background and returns
// once its output shows want (the step's own output, not its Dockerfile
// line: the step runs); done gets the build's result after cancel.
func (e *env) buildUntil(t *testing.T, dockerfile, want string) (rep *report, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	var ctxTar bytes.Buffer
	if err := tarDir(dir, &ctxTar); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	rep = &report{}
	result := make(chan error, 1)
	go func() {
		_, err := e.b.Build(ctx, &ctxTar, build.Options{}, rep)
		result <- err
	}()
	for !strings.Contains(rep.String(), want) {
		select {
		case err := <-result:
			t.Fatalf("build ended early: %v\n%s", err, rep)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return rep, cancel, result
}
