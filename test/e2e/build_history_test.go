package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// historyContextDir is a context whose files moby's own tarsum tests
// digest ("contents test", 0755, root): Docker's classic builder names
// them file:55dfeb… and file:74a332… in its history.
func historyContextDir(t *testing.T, dockerfile string) string {
	t.Helper()
	dir := t.TempDir()
	sub := filepath.Join(dir, "builder-tarsum-test-subdir")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "test"), filepath.Join(sub, "test")} {
		if err := os.WriteFile(p, []byte("contents test"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{sub, filepath.Join(dir, "test"), filepath.Join(sub, "test")} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const historyDockerfile = `FROM busybox
SHELL ["/bin/sh", "-ec"]
ARG B=2 A=1
ENV B=env
COPY test /x
COPY --chown=1:1 builder-tarsum-test-subdir /d
COPY test builder-tarsum-test-subdir/test /m/
RUN echo hi
EXPOSE 80 53/udp
HEALTHCHECK --interval=5s --retries=3 CMD true
CMD ["sh"]
`

// The history entries Docker's classic builder writes for
// historyDockerfile, newest first, as `docker history --no-trunc` shows.
func wantHistory() []string {
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	const top, sub = "55dfeb344351ab27f59aa60ebb0ed12025a2f2f4677bf77d26ea7a671274a9ca", "74a3326b8e766ce63a8e5232f22e9dd895be647fb3ca7d337e5e0a9b3da8ef28"
	// The directory's own tarsum: its tar header fields, tarsum v1.
	dirSelf := sum("namebuilder-tarsum-test-subdir/mode493uid0gid0size0typeflag5linknameunamegnamedevmajor0devminor0")
	dirSums := []string{dirSelf, sub}
	if sub < dirSelf {
		dirSums = []string{sub, dirSelf}
	}
	return []string{
		`/bin/sh -ec #(nop)  CMD ["sh"]`,
		`/bin/sh -ec #(nop)  HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "0s" "0s" "0s" '\x03'}`,
		`/bin/sh -ec #(nop)  EXPOSE 53/udp 80`,
		`|1 A=1 /bin/sh -ec echo hi`,
		`/bin/sh -ec #(nop) COPY multi:` + sum("file:"+top+",file:"+sub) + ` in /m/ `,
		`/bin/sh -ec #(nop) COPY --chown=1:1 dir:` + sum(strings.Join(dirSums, ",")) + ` in /d `,
		`/bin/sh -ec #(nop) COPY file:` + top + ` in /x `,
		`/bin/sh -ec #(nop)  ENV B=env`,
		`/bin/sh -ec #(nop)  ARG B=2 A=1`,
		`/bin/sh -ec #(nop)  SHELL [/bin/sh -ec]`,
	}
}

// berth's builder writes Docker's history entries byte for byte, whether
// the context comes from berth's CLI or the docker CLI; `berth history`
// and `docker history` show them; a second build is fully cached.
func TestBuildHistoryAsDockers(t *testing.T) {
	d := startDaemon(t)
	importBusybox(t, d, "busybox:latest")
	dir := historyContextDir(t, historyDockerfile)
	want := wantHistory()

	id := d.ok(t, "build", "-q", "-t", "hist:berth", dir)
	got := strings.Split(d.ok(t, "history", "--no-trunc", "--format", "{{.CreatedBy}}", "hist:berth"), "\n")
	if len(got) < len(want) {
		t.Fatalf("berth history has %d entries:\n%s", len(got), strings.Join(got, "\n"))
	}
	if diff := cmp.Diff(want, got[:len(want)]); diff != "" {
		t.Errorf("berth history --no-trunc (-want +got):\n%s", diff)
	}

	out := d.ok(t, "build", dir)
	if strings.Contains(out, "Running in") || strings.Count(out, "Using cache") != len(want) {
		t.Errorf("the rebuild was not fully cached:\n%s", out)
	}
	if again := d.ok(t, "build", "-q", dir); again != id {
		t.Errorf("a rebuild gave %q, then %q", id, again)
	}

	needDocker(t)
	if r := d.dockerLegacy(t, "build", "-q", "-t", "hist:docker", dir); r.code != 0 {
		t.Fatalf("docker build: %s", r)
	}
	r := d.docker(t, nil, "history", "--no-trunc", "--format", "{{.CreatedBy}}", "hist:docker")
	got = strings.Split(r.stdout, "\n")
	if r.code != 0 || len(got) < len(want) {
		t.Fatalf("docker history: %s", r)
	}
	if diff := cmp.Diff(want, got[:len(want)]); diff != "" {
		t.Errorf("docker history --no-trunc of a docker CLI build (-want +got):\n%s", diff)
	}
}
