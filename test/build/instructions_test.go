package build_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berthproject/berth/internal/build"
)

func readFile(t *testing.T, root, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatalf("image file %s: %v", name, err)
	}
	return string(b)
}

// Every instruction of the classic builder, checked in the image's
// config, history and files.
func TestEveryInstruction(t *testing.T) {
	e := newEnv(t)
	dir := e.caseDir("instructions")
	id, out := e.mustBuild(dir, build.Options{Tags: []string{"instr:v1"}})
	if !strings.Contains(out, "Step 1/22 : FROM busybox AS base\n") || !strings.Contains(out, "Successfully tagged instr:v1\n") {
		t.Errorf("output lacks the step or tag lines:\n%s", out)
	}
	c := e.config("instr:v1")
	cfg := c.Config
	wantEnv := []string{"APP_HOME=/srv/app", "GREETING=hello world", "DEFAULTED=fallback", "ALT=set"}
	if !slices.Equal(cfg.Env, wantEnv) {
		t.Errorf("Env = %q, want %q", cfg.Env, wantEnv)
	}
	if cfg.Labels["org.example.name"] != "instructions" || cfg.Labels["version"] != "1" || c.Author != "berth tests" {
		t.Errorf("labels %v author %q", cfg.Labels, c.Author)
	}
	if cfg.WorkingDir != "/srv/app" || cfg.User != "nobody" || cfg.StopSignal != "SIGQUIT" {
		t.Errorf("workdir %q user %q stopsignal %q", cfg.WorkingDir, cfg.User, cfg.StopSignal)
	}
	if !slices.Equal(cfg.Entrypoint, []string{"/bin/sh", "-c"}) || !slices.Equal(cfg.Cmd, []string{"cat greeting.txt"}) {
		t.Errorf("entrypoint %q cmd %q", cfg.Entrypoint, cfg.Cmd)
	}
	for _, p := range []string{"80/tcp", "53/udp", "8000/tcp", "8001/tcp"} {
		if _, ok := cfg.ExposedPorts[p]; !ok {
			t.Errorf("ExposedPorts %v lacks %s", cfg.ExposedPorts, p)
		}
	}
	if _, ok := cfg.Volumes["/data"]; !ok {
		t.Errorf("Volumes = %v", cfg.Volumes)
	}
	if hc := cfg.Healthcheck; hc == nil || !slices.Equal(hc.Test, []string{"CMD-SHELL", "true"}) || hc.Interval != 5*time.Second || hc.Retries != 2 {
		t.Errorf("Healthcheck = %+v", cfg.Healthcheck)
	}
	if !slices.Equal(cfg.Shell, []string{"/bin/sh", "-ec"}) || !slices.Equal(cfg.OnBuild, []string{"RUN echo triggered"}) {
		t.Errorf("shell %q onbuild %q", cfg.Shell, cfg.OnBuild)
	}

	// History: one entry per step after FROM, metadata steps marked empty,
	// worded as Docker's classic builder.
	h := c.History[1:]
	if len(h) != 21 {
		t.Fatalf("history has %d entries after the base, want 21: %+v", len(h), h)
	}
	// Byte for byte as Docker's classic builder; [0-9a-f]{64} stands for
	// a source's tarsum digest.
	want := []string{
		`/bin/sh -c #(nop)  LABEL org.example.name=instructions version=1`,
		`/bin/sh -c #(nop)  MAINTAINER berth tests`,
		`/bin/sh -c #(nop)  ENV APP_HOME=/srv/app GREETING=hello world`,
		`/bin/sh -c #(nop)  ENV DEFAULTED=fallback ALT=set`,
		`/bin/sh -c #(nop) WORKDIR /srv/app`,
		`/bin/sh -c echo "$GREETING" > greeting.txt && pwd > pwd.txt`,
		`/bin/sh -c echo exec-form > exec.txt`,
		`/bin/sh -ec #(nop)  SHELL [/bin/sh -ec]`,
		`/bin/sh -ec echo "shell $0" > shell.txt`,
		`/bin/sh -ec #(nop) COPY --chown=1000:1000 dir:[0-9a-f]{64} in conf/ `,
		`/bin/sh -ec #(nop) COPY multi:[0-9a-f]{64} in ./pair/ `,
		`/bin/sh -ec #(nop) COPY file:[0-9a-f]{64} in ./glob/ `,
		`/bin/sh -ec #(nop) ADD file:[0-9a-f]{64} in added.txt `,
		`/bin/sh -ec #(nop)  USER nobody`,
		`/bin/sh -ec #(nop)  EXPOSE 53/udp 80 8000-8001`,
		`/bin/sh -ec #(nop)  VOLUME [/data]`,
		`/bin/sh -ec #(nop)  STOPSIGNAL SIGQUIT`,
		`/bin/sh -ec #(nop)  HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "2s" "0s" "0s" '\x02'}`,
		`/bin/sh -ec #(nop)  ONBUILD RUN echo triggered`,
		`/bin/sh -ec #(nop)  ENTRYPOINT ["/bin/sh" "-c"]`,
		`/bin/sh -ec #(nop)  CMD ["cat greeting.txt"]`,
	}
	for i, w := range want {
		pattern := regexp.QuoteMeta(w)
		pattern = strings.ReplaceAll(pattern, regexp.QuoteMeta("[0-9a-f]{64}"), "[0-9a-f]{64}")
		if !regexp.MustCompile("^" + pattern + "$").MatchString(h[i].CreatedBy) {
			t.Errorf("history[%d] = %q, want %q", i+1, h[i].CreatedBy, w)
		}
	}
	// The same file (files/one.txt) has the same digest wherever copied.
	if a, b := h[11].CreatedBy[len("/bin/sh -ec #(nop) COPY "):][:69], h[12].CreatedBy[len("/bin/sh -ec #(nop) ADD "):][:69]; a != b {
		t.Errorf("files/one.txt digests differ: %s, %s", a, b)
	}
	for i, x := range h {
		// WORKDIR /srv/app creates the directory: a layer.
		isFS := strings.Contains(x.CreatedBy, "COPY ") || strings.Contains(x.CreatedBy, "ADD ") || strings.Contains(x.CreatedBy, "WORKDIR ") || !strings.Contains(x.CreatedBy, "#(nop)")
		if x.EmptyLayer == isFS {
			t.Errorf("history[%d] %q: empty_layer = %v", i+1, x.CreatedBy, x.EmptyLayer)
		}
	}

	root := e.rootfs("instr:v1")
	for name, want := range map[string]string{
		"srv/app/greeting.txt": "hello world\n", "srv/app/pwd.txt": "/srv/app\n", "srv/app/exec.txt": "exec-form\n",
		"srv/app/shell.txt": "shell /bin/sh\n", "srv/app/conf/one.txt": "one\n", "srv/app/pair/two.txt": "two\n",
		"srv/app/glob/one.txt": "one\n", "srv/app/added.txt": "one\n",
	} {
		if got := readFile(t, root, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "srv/app/glob/two.txt")); err == nil {
		t.Error("the glob o*.txt copied two.txt")
	}
	fi, err := os.Stat(filepath.Join(root, "srv/app/conf/one.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if st := statOwner(fi); fi.Mode().Perm() != 0o640 || st != [2]uint32{1000, 1000} {
		t.Errorf("COPY --chown=1000:1000 --chmod=0640 gave mode %v owner %v", fi.Mode(), st)
	}
	if fi, err := os.Stat(filepath.Join(root, "srv/app/conf")); err != nil || statOwner(fi) != [2]uint32{1000, 1000} {
		t.Errorf("the directory COPY --chown created: %v owner %v", err, statOwner(fi))
	}
	if fi, err := os.Stat(filepath.Join(root, "srv/app/pair/one.txt")); err != nil || statOwner(fi) != [2]uint32{0, 0} {
		t.Errorf("COPY without --chown: %v owner %v", err, statOwner(fi))
	}

	// The history entries are cache keys: a second build takes every
	// step from the cache and makes the same image.
	id2, out := e.mustBuild(dir, build.Options{})
	if got := cachedSteps(out); id2 != id || strings.Contains(out, "Running in") || slices.Contains(got[1:], false) {
		t.Errorf("the rebuild was not fully cached (%s → %s), steps %v:\n%s", id, id2, got, out)
	}
}
