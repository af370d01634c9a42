package e2e

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// buildContextDir writes a small build context and returns its path.
func buildContextDir(t *testing.T, dockerfile string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["Dockerfile"] = dockerfile
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// dockerLegacy runs the real docker CLI's classic builder against d.
func (d *daemon) dockerLegacy(t *testing.T, args ...string) result {
	t.Helper()
	return d.dockerLegacyIn(t, nil, args...)
}

func (d *daemon) dockerLegacyIn(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	home := t.TempDir()
	env := []string{"DOCKER_HOST=" + d.host, "DOCKER_CONFIG=" + filepath.Join(home, ".docker"), "HOME=" + home, "DOCKER_BUILDKIT=0"}
	return runCmd(t, stdin, env, dockerBin, args...)
}

const e2eDockerfile = `FROM busybox
ARG WHO=world
COPY greeting.txt /greeting.txt
RUN echo "hello $WHO" > /hello.txt
ENV MODE=e2e
CMD ["cat", "/hello.txt"]
`

func TestDockerCLILegacyBuilderBuildsAgainstBerth(t *testing.T) {
	needDocker(t)
	d := startDaemon(t)
	importBusybox(t, d, "busybox:latest")
	dir := buildContextDir(t, e2eDockerfile, map[string]string{"greeting.txt": "hi\n", "ignored.log": "x", ".dockerignore": "*.log\n"})

	r := d.dockerLegacy(t, "build", "-t", "e2e/app:v1", "--build-arg", "WHO=docker", dir)
	if r.code != 0 {
		t.Fatalf("docker build: %s", r)
	}
	for _, want := range []string{"Sending build context to Docker daemon", "Step 1/6 : FROM busybox", "Step 4/6 : RUN echo \"hello $WHO\" > /hello.txt", " ---> Running in ", "Successfully built ", "Successfully tagged e2e/app:v1"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("docker build output lacks %q:\n%s", want, r.stdout)
		}
	}
	id := regexp.MustCompile(`Successfully built ([0-9a-f]{12})`).FindStringSubmatch(r.stdout)
	r = d.dockerLegacy(t, "image", "inspect", "--format", "{{.Id}} {{json .Config.Env}} {{json .Config.Cmd}} {{len .RootFS.Layers}}", "e2e/app:v1")
	if r.code != 0 || len(id) < 2 || !strings.HasPrefix(r.stdout, "sha256:"+id[1]) ||
		!strings.Contains(r.stdout, `["MODE=e2e"] ["cat","/hello.txt"] 3`) {
		t.Errorf("inspect of the built image: %s", r)
	}
	r = d.dockerLegacy(t, "history", "--no-trunc", "--format", "{{.CreatedBy}}", "e2e/app:v1")
	if r.code != 0 || !strings.Contains(r.stdout, "|1 WHO=docker /bin/sh -c echo \"hello $WHO\" > /hello.txt") || !strings.Contains(r.stdout, "/bin/sh -c #(nop)  ENV MODE=e2e") {
		t.Errorf("history: %s", r)
	}

	// A rebuild is fully cached and gives the same image.
	r = d.dockerLegacy(t, "build", "-t", "e2e/app:v1", "--build-arg", "WHO=docker", dir)
	if r.code != 0 || strings.Contains(r.stdout, "Running in") || strings.Count(r.stdout, "Using cache") != 5 || !strings.Contains(r.stdout, "Successfully built "+id[1]) {
		t.Errorf("cached rebuild: %s", r)
	}

	// -q with --iidfile, and a Dockerfile on stdin with a context dir.
	iid := filepath.Join(t.TempDir(), "iid")
	r = d.dockerLegacy(t, "build", "-q", "--iidfile", iid, "--build-arg", "WHO=docker", dir)
	if b, _ := os.ReadFile(iid); r.code != 0 || !strings.HasPrefix(string(b), "sha256:"+id[1]) || !strings.Contains(r.stdout, "sha256:"+id[1]) {
		t.Errorf("docker build -q --iidfile: %s (iidfile %q)", r, b)
	}
	r = d.dockerLegacyIn(t, strings.NewReader("FROM busybox\nCOPY greeting.txt /g\n"), "build", "-f", "-", "-t", "e2e/stdin", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "Successfully tagged e2e/stdin:latest") {
		t.Errorf("docker build -f -: %s", r)
	}
	if r := d.dockerLegacy(t, "builder", "prune", "-f"); r.code != 0 || !strings.Contains(r.stdout, "Total reclaimed space") {
		t.Errorf("docker builder prune: %s", r)
	}

	// A failing RUN: the docker CLI shows Docker's message and fails.
	bad := buildContextDir(t, "FROM busybox\nRUN exit 7\n", map[string]string{})
	r = d.dockerLegacy(t, "build", "-t", "e2e/bad", bad)
	if r.code == 0 || !strings.Contains(r.stderr+r.stdout, "The command '/bin/sh -c exit 7' returned a non-zero code: 7") {
		t.Errorf("failing build: %s", r)
	}
	if r := d.dockerLegacy(t, "image", "inspect", "e2e/bad"); r.code == 0 {
		t.Error("a failed build left a tagged image")
	}
	// A bad Dockerfile is refused before any step, naming the line.
	bad = buildContextDir(t, "FROM busybox\nNOPE x\n", map[string]string{})
	r = d.dockerLegacy(t, "build", bad)
	if r.code == 0 || !strings.Contains(r.stderr, "dockerfile parse error on line 2: unknown instruction: NOPE") {
		t.Errorf("bad Dockerfile: %s", r)
	}
}

func TestBerthBuildCommand(t *testing.T) {
	d := startDaemon(t)
	importBusybox(t, d, "busybox:latest")
	dir := buildContextDir(t, e2eDockerfile, map[string]string{"greeting.txt": "hi\n", "secret.txt": "s", ".dockerignore": "secret.txt\n"})
	iid := filepath.Join(t.TempDir(), "iid")
	out := d.ok(t, "build", "-t", "app:one", "--label", "team=berth", "--iidfile", iid, dir)
	if !strings.Contains(out, "Successfully tagged app:one") {
		t.Errorf("berth build output:\n%s", out)
	}
	b, err := os.ReadFile(iid)
	if err != nil || !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).Match(b) {
		t.Fatalf("--iidfile wrote %q (%v)", b, err)
	}
	if got := d.ok(t, "image", "inspect", "--format", "{{.Config.Labels.team}}", "app:one"); strings.TrimSpace(got) != "berth" {
		t.Errorf("--label: %q", got)
	}

	// The built image leaves as an ordinary docker-archive that skopeo reads.
	if skopeo, err := exec.LookPath("skopeo"); err == nil {
		archive := filepath.Join(t.TempDir(), "app.tar")
		d.ok(t, "save", "-o", archive, "app:one")
		r := runCmd(t, nil, nil, skopeo, "inspect", "--config", "docker-archive:"+archive)
		if r.code != 0 || !strings.Contains(r.stdout, `"cat",`) || !strings.Contains(r.stdout, `"created_by": "/bin/sh -c #(nop)  ENV MODE=e2e"`) {
			t.Errorf("skopeo inspect of the saved build: %s", r)
		}
	}

	// -q prints only the ID; the cache survives a daemon restart.
	if err := d.stop(t); err != nil {
		t.Fatal(err)
	}
	d.start(t)
	out = d.ok(t, "build", "-q", "-t", "app:one", "--label", "team=berth", dir)
	if strings.TrimSpace(out) != string(b) {
		t.Errorf("cached -q rebuild after a restart printed %q, want %q", out, b)
	}

	// -f - reads the Dockerfile from stdin; "-" alone builds a bare
	// Dockerfile without context.
	r := d.berth(t, strings.NewReader("FROM busybox\nCOPY greeting.txt /g\n"), "build", "-f", "-", "-t", "app:stdin", dir)
	if r.code != 0 {
		t.Errorf("build -f -: %s", r)
	}
	r = d.berth(t, strings.NewReader("FROM busybox\nRUN echo bare > /bare\n"), "build", "-t", "app:bare", "-")
	if r.code != 0 {
		t.Errorf("build -: %s", r)
	}
	r = d.berth(t, nil, "builder", "prune", "-f")
	if r.code != 0 || !strings.Contains(r.stdout, "Total reclaimed space:") {
		t.Errorf("builder prune: %s", r)
	}
	r = d.berth(t, nil, "build", "--target", "nosuch", dir)
	if r.code == 0 || !strings.Contains(r.stderr, `target stage "nosuch" could not be found`) {
		t.Errorf("bad --target: %s", r)
	}
}
