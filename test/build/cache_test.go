package build_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/build"
	"github.com/berthproject/berth/internal/snapshot"
)

// cachedSteps returns, for each "Step n/m" of a build output, whether it
// was taken from the cache.
func cachedSteps(out string) []bool {
	var steps []bool
	for _, part := range regexp.MustCompile(`(?m)^Step \d+/\d+ : `).Split(out, -1)[1:] {
		steps = append(steps, strings.Contains(part, " ---> Using cache\n"))
	}
	return steps
}

func TestCacheRerunsOnlyFromTheChangedCopy(t *testing.T) {
	e := newEnv(t)
	dir := e.caseDir("cache")
	id1, out := e.mustBuild(dir, build.Options{Tags: []string{"cache:v1"}})
	if got := cachedSteps(out); len(got) != 6 || strings.Contains(out, "Using cache") {
		t.Fatalf("first build: %v\n%s", got, out)
	}

	// Unchanged: every step from the cache, no container, same image.
	id2, out := e.mustBuild(dir, build.Options{Tags: []string{"cache:v1"}})
	if strings.Contains(out, "Running in") || id2 != id1 {
		t.Errorf("cached rebuild ran a container or made a new image (%s → %s):\n%s", id1, id2, out)
	}
	if got := cachedSteps(out); !equalBools(got, []bool{false, true, true, true, true, true}) {
		t.Errorf("cached rebuild steps %v:\n%s", got, out)
	}

	// Touching a file (same content, new mtime) keeps the cache, as Docker's.
	if err := os.Chtimes(filepath.Join(dir, "b.txt"), timeNow(), timeNow()); err != nil {
		t.Fatal(err)
	}
	if _, out = e.mustBuild(dir, build.Options{}); strings.Contains(out, "Running in") {
		t.Errorf("a new mtime alone invalidated the cache:\n%s", out)
	}

	// Changing b.txt reruns its COPY and what follows, nothing before.
	if err := os.WriteFile(filepath.Join(dir, "b.txt"), []byte("b changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out = e.mustBuild(dir, build.Options{Tags: []string{"cache:v2"}})
	if got := cachedSteps(out); !equalBools(got, []bool{false, true, true, true, false, false}) {
		t.Errorf("after changing b.txt, cached steps %v:\n%s", got, out)
	}
	if got := readFile(t, e.rootfs("cache:v2"), "from-b.txt"); got != "b changed\n" {
		t.Errorf("from-b.txt = %q", got)
	}

	// --no-cache runs everything.
	_, out = e.mustBuild(dir, build.Options{NoCache: true})
	if strings.Contains(out, "Using cache") || strings.Count(out, "Running in") != 3 {
		t.Errorf("--no-cache:\n%s", out)
	}
}

// The cache lives in the metadata database: a new builder on the same
// stores (a daemon restart) still hits it.
func TestCacheSurvivesRestartAndPrune(t *testing.T) {
	e := newEnv(t)
	dir := e.caseDir("cache")
	id1, _ := e.mustBuild(dir, build.Options{Tags: []string{"cache:v1"}})
	e.b = e.newBuilder()
	id2, out := e.mustBuild(dir, build.Options{})
	if id2 != id1 || strings.Contains(out, "Running in") {
		t.Errorf("after a restart the rebuild was not cached (%s → %s):\n%s", id1, id2, out)
	}
	infos, err := e.b.CacheUsage(context.Background())
	if err != nil || len(infos) != 5 {
		t.Fatalf("cache usage: %d entries, %v", len(infos), err)
	}
	for _, ci := range infos {
		if layer := !strings.Contains(ci.Description, "#(nop)") || strings.Contains(ci.Description, "COPY"); layer != (ci.Size > 0) {
			t.Errorf("cache entry %q has size %d", ci.Description, ci.Size)
		}
	}
	rep, err := e.b.Prune(context.Background())
	if err != nil || len(rep.Deleted) != 5 || rep.Reclaimed == 0 {
		t.Errorf("prune: %+v, %v", rep, err)
	}
	_, out = e.mustBuild(dir, build.Options{})
	if strings.Contains(out, "Using cache") {
		t.Errorf("a build after prune used the cache:\n%s", out)
	}
}

// --cache-from reuses the steps recorded in an image's history.
func TestCacheFromImage(t *testing.T) {
	e := newEnv(t)
	dir := e.caseDir("cache")
	e.mustBuild(dir, build.Options{Tags: []string{"cache:src"}})
	if _, err := e.b.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, out := e.mustBuild(dir, build.Options{CacheFrom: []string{"cache:src"}})
	if strings.Contains(out, "Running in") || strings.Count(out, "Using cache") != 5 {
		t.Errorf("--cache-from did not reuse every step:\n%s", out)
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Multi-stage: the other stages' layers are kept (as untagged images), so
// after a daemon restart, whose garbage collection drops every blob no
// image holds, the whole build is still cached.
func TestMultiStageCacheSurvivesGarbageCollection(t *testing.T) {
	e := newEnv(t)
	dir := e.caseDir("multistage")
	id1, _ := e.mustBuild(dir, build.Options{Tags: []string{"multi"}})
	if err := e.images.GarbageCollect(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.b = e.newBuilder()
	id2, out := e.mustBuild(dir, build.Options{Tags: []string{"multi"}})
	if id2 != id1 || strings.Contains(out, "Running in") {
		t.Errorf("rebuild after garbage collection was not cached (%s → %s):\n%s", id1, id2, out)
	}
}

// A builder opened after a crash removes what the dead build left.
func TestBuilderRecoversLeftovers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sn, err := snapshot.New(ctx, filepath.Join(e.root, "builder"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn.Prepare(ctx, "build-leftover", ""); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(e.root, "builder", "tmp", "build-123", "context")
	if err := os.MkdirAll(stray, 0o755); err != nil {
		t.Fatal(err)
	}
	e.newBuilder()
	if _, err := os.Stat(filepath.Dir(stray)); !os.IsNotExist(err) {
		t.Errorf("scratch dir of a dead build still there: %v", err)
	}
	sn2, err := snapshot.New(ctx, filepath.Join(e.root, "builder"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn2.Stat(ctx, "build-leftover"); err == nil {
		t.Error("writable layer of a dead build still there")
	}
}

// Builds run concurrently: they share the unpacked layers and the cache.
func TestConcurrentBuilds(t *testing.T) {
	e := newEnv(t)
	dirs := []string{e.caseDir("cache"), e.caseDir("multistage"), e.caseDir("cache")}
	errs := make(chan error, len(dirs))
	for _, dir := range dirs {
		go func() {
			_, rep, err := e.build(dir, build.Options{NoCache: true})
			if err != nil {
				err = fmt.Errorf("%s: %w\n%s", dir, err, rep)
			}
			errs <- err
		}()
	}
	for range dirs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// Where overlayfs cannot be used, the copy snapshotter builds the same.
func TestCopySnapshotterBuilds(t *testing.T) {
	e := newEnv(t)
	e.copySnapshots = true
	e.b = e.newBuilder()
	dir := e.caseDir("cache")
	id1, _ := e.mustBuild(dir, build.Options{Tags: []string{"copy"}})
	if got := readFile(t, e.rootfs("copy"), "from-b.txt"); got != "b\n" {
		t.Errorf("from-b.txt = %q", got)
	}
	id2, out := e.mustBuild(dir, build.Options{})
	if id2 != id1 || strings.Contains(out, "Running in") {
		t.Errorf("cached rebuild on the copy snapshotter:\n%s", out)
	}
}
