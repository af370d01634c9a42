package build_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/build"
)

// Only the stages the target needs are built; COPY --from takes files
// from a stage by name or number; FROM scratch starts empty.
func TestMultiStage(t *testing.T) {
	e := newEnv(t)
	dir := e.caseDir("multistage")
	_, out := e.mustBuild(dir, build.Options{Tags: []string{"multi"}})
	if strings.Contains(out, "must not run") || strings.Contains(out, "tested") {
		t.Errorf("stages the target does not need were built:\n%s", out)
	}
	if !strings.Contains(out, "Step 1/5 : FROM busybox AS builder\n") || !strings.Contains(out, "Step 3/5 : FROM scratch\n") {
		t.Errorf("steps are not numbered over the needed stages only:\n%s", out)
	}
	root := e.rootfs("multi")
	if got := readFile(t, root, "artifact"); got != "built\n" {
		t.Errorf("artifact = %q", got)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 2 {
		t.Errorf("FROM scratch image holds %d top-level entries, want artifact and bin", len(entries))
	}
	if c := e.config("multi"); len(c.RootFS.DiffIDs) != 2 {
		t.Errorf("image has %d layers, want 2", len(c.RootFS.DiffIDs))
	}

	_, out = e.mustBuild(dir, build.Options{Tags: []string{"tester"}, Target: "tester"})
	if !strings.Contains(out, "Step 1/2 : FROM busybox AS tester\n") || strings.Contains(out, "builder") {
		t.Errorf("--target tester:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(e.rootfs("tester"), "tested")); err != nil {
		t.Error(err)
	}
	if _, rep, err := e.build(dir, build.Options{Target: "nosuch"}); err == nil || !isInvalid(err) || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("--target nosuch: %v\n%s", err, rep)
	}
}

func TestBuildArgs(t *testing.T) {
	e := newEnv(t)
	dir := e.caseDir("args")
	v2, unused := "2.0", "x"
	_, out := e.mustBuild(dir, build.Options{Tags: []string{"args"}, BuildArgs: map[string]*string{"VERSION": &v2, "UNUSED": &unused}})
	if got := readFile(t, e.rootfs("args"), "args.txt"); got != "version=2.0 global=global-default empty=[]\n" {
		t.Errorf("args.txt = %q", got)
	}
	if !strings.Contains(out, "[Warning] One or more build-args [UNUSED] were not consumed") {
		t.Errorf("no warning for an unused build arg:\n%s", out)
	}
	c := e.config("args")
	if !strings.HasPrefix(c.History[len(c.History)-1].CreatedBy, "|2 GLOBAL=global-default VERSION=2.0 /bin/sh -c ") {
		t.Errorf("RUN history = %q", c.History[len(c.History)-1].CreatedBy)
	}
	for _, kv := range c.Config.Env {
		if strings.HasPrefix(kv, "VERSION=") || strings.HasPrefix(kv, "GLOBAL=") {
			t.Errorf("a build arg leaked into the image's Env: %q", c.Config.Env)
		}
	}
	// Another value of an arg misses the cache of the RUN that sees it.
	v3 := "3.0"
	_, out = e.mustBuild(dir, build.Options{BuildArgs: map[string]*string{"VERSION": &v3}})
	if strings.Count(out, "Running in") != 1 {
		t.Errorf("a changed build arg did not rerun the RUN:\n%s", out)
	}
}

func TestDockerignore(t *testing.T) {
	e := newEnv(t)
	dir := e.caseDir("dockerignore")
	e.mustBuild(dir, build.Options{Tags: []string{"ign"}})
	listing := readFile(t, e.rootfs("ign"), "listing")
	for _, want := range []string{"keep.txt", "keep.tmp", "Dockerfile"} {
		if !strings.Contains(listing, want) {
			t.Errorf("%s missing from the context:\n%s", want, listing)
		}
	}
	for _, gone := range []string{"secret.txt", "x.log", "drop.tmp"} {
		if strings.Contains(listing, gone) {
			t.Errorf(".dockerignore did not exclude %s:\n%s", gone, listing)
		}
	}
}

func TestOnbuildTriggers(t *testing.T) {
	e := newEnv(t)
	e.mustBuild(e.caseDir("onbuild-base"), build.Options{Tags: []string{"onbuild-base"}})
	if c := e.config("onbuild-base"); len(c.Config.OnBuild) != 2 {
		t.Fatalf("OnBuild = %q", c.Config.OnBuild)
	}
	_, out := e.mustBuild(e.caseDir("onbuild-child"), build.Options{Tags: []string{"child"}})
	if !strings.Contains(out, "# Executing 2 build triggers") {
		t.Errorf("output:\n%s", out)
	}
	if got := readFile(t, e.rootfs("child"), "both.txt"); got != "from-child-context\nran on build\n" {
		t.Errorf("both.txt = %q", got)
	}
	if c := e.config("child"); len(c.Config.OnBuild) != 0 {
		t.Errorf("the child kept the triggers: %q", c.Config.OnBuild)
	}
}

func TestHeredocs(t *testing.T) {
	e := newEnv(t)
	e.mustBuild(e.caseDir("heredoc"), build.Options{Tags: []string{"heredoc"}})
	root := e.rootfs("heredoc")
	for name, want := range map[string]string{"first.txt": "first\nsecond\n", "etc/app.conf": "name=heredoc\n", "multi.txt": "inline text\n"} {
		if got := readFile(t, root, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// An ENV hides the build arg of the same name from RUN, in its
// environment and in its history entry, as in Docker's classic builder.
func TestEnvHidesBuildArg(t *testing.T) {
	e := newEnv(t)
	e.mustBuild(e.caseDir("argenv"), build.Options{Tags: []string{"argenv"}})
	if got := readFile(t, e.rootfs("argenv"), "mode.txt"); got != "env k\n" {
		t.Errorf("mode.txt = %q, want the ENV's value", got)
	}
	c := e.config("argenv")
	if got := c.History[len(c.History)-1].CreatedBy; got != `|1 KEEP=k /bin/sh -c echo "$MODE $KEEP" > /mode.txt` {
		t.Errorf("RUN history = %q", got)
	}
}
