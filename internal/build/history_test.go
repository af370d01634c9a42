package build

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// createdBy runs the instructions of a one-stage Dockerfile (FROM
// scratch) through changeFor, applying each config change without
// touching a filesystem, and returns each step's history entry.
func createdBy(t *testing.T, dockerfileText string, buildArgs map[string]*string, bc *buildContext) []string {
	t.Helper()
	df, err := parseDockerfile("Dockerfile", []byte(dockerfileText))
	if err != nil {
		t.Fatal(err)
	}
	if bc == nil {
		bc = &buildContext{dir: t.TempDir()}
	}
	r := &buildRun{df: df, ctx: bc, declared: map[string]bool{}, opts: Options{BuildArgs: buildArgs}}
	st := &stage{}
	var out []string
	for _, cmd := range df.stages[0].Commands {
		if err := r.expand(st, cmd); err != nil {
			t.Fatal(err)
		}
		c, err := r.changeFor(context.Background(), st, cmd)
		if err != nil {
			t.Fatalf("%s: %v", cmdString(cmd), err)
		}
		if c.config != nil {
			c.config(&st.img)
		}
		out = append(out, c.createdBy)
	}
	return out
}

func strp(s string) *string { return &s }

// Each instruction's history entry, byte for byte as Docker's classic
// builder (moby builder/dockerfile: dispatchers.go, internals.go) writes
// it: "#(nop) " and the comment as two words (two spaces) for metadata
// steps, as one word for WORKDIR/COPY/ADD, always after the SHELL in
// force (SHELL's own entry after the new one).
func TestHistoryEntriesAsDockers(t *testing.T) {
	for _, tc := range []struct {
		name, dockerfile string
		args             map[string]*string
		want             []string
	}{
		{"ENV", "FROM scratch\nENV A=1 B=\"two words\"\nENV C 3\n", nil, []string{
			`/bin/sh -c #(nop)  ENV A=1 B=two words`,
			`/bin/sh -c #(nop)  ENV C=3`,
		}},
		{"LABEL", "FROM scratch\nLABEL a=b \"c d\"=e\n", nil, []string{`/bin/sh -c #(nop)  LABEL a=b c d=e`}},
		{"MAINTAINER", "FROM scratch\nMAINTAINER Jo <jo@example.com>\n", nil, []string{`/bin/sh -c #(nop)  MAINTAINER Jo <jo@example.com>`}},
		{"CMD exec", "FROM scratch\nCMD [\"sh\"]\n", nil, []string{`/bin/sh -c #(nop)  CMD ["sh"]`}},
		{"CMD shell", "FROM scratch\nCMD echo \"hi there\"\n", nil, []string{`/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "echo \"hi there\""]`}},
		{"CMD empty", "FROM scratch\nCMD []\n", nil, []string{`/bin/sh -c #(nop)  CMD []`}},
		{"ENTRYPOINT exec", "FROM scratch\nENTRYPOINT [\"/bin/app\", \"-v\"]\n", nil, []string{`/bin/sh -c #(nop)  ENTRYPOINT ["/bin/app" "-v"]`}},
		{"ENTRYPOINT shell", "FROM scratch\nENTRYPOINT exec app\n", nil, []string{`/bin/sh -c #(nop)  ENTRYPOINT ["/bin/sh" "-c" "exec app"]`}},
		{"EXPOSE", "FROM scratch\nENV P=\"443 8080-8081\"\nEXPOSE 80 53/udp $P\n", nil, []string{
			`/bin/sh -c #(nop)  ENV P=443 8080-8081`,
			// BuildKit's parser (Docker's too) sorts the words first.
			`/bin/sh -c #(nop)  EXPOSE 443 8080-8081 53/udp 80`,
		}},
		{"VOLUME", "FROM scratch\nVOLUME /data /b\nVOLUME [\"/x\", \"/y\"]\n", nil, []string{
			`/bin/sh -c #(nop)  VOLUME [/data /b]`,
			`/bin/sh -c #(nop)  VOLUME [/x /y]`,
		}},
		{"USER", "FROM scratch\nUSER 1000:1000\n", nil, []string{`/bin/sh -c #(nop)  USER 1000:1000`}},
		{"STOPSIGNAL", "FROM scratch\nSTOPSIGNAL SIGKILL\n", nil, []string{`/bin/sh -c #(nop)  STOPSIGNAL SIGKILL`}},
		{"HEALTHCHECK", "FROM scratch\nHEALTHCHECK --interval=5m --timeout=3s --retries=3 CMD curl -f http://localhost/\n", nil, []string{
			`/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/"] "5m0s" "3s" "0s" "0s" '\x03'}`,
		}},
		{"HEALTHCHECK exec", "FROM scratch\nHEALTHCHECK CMD [\"/ok\"]\n", nil, []string{
			`/bin/sh -c #(nop)  HEALTHCHECK &{["CMD" "/ok"] "0s" "0s" "0s" "0s" '\x00'}`,
		}},
		{"HEALTHCHECK NONE", "FROM scratch\nHEALTHCHECK NONE\n", nil, []string{
			`/bin/sh -c #(nop)  HEALTHCHECK &{["NONE"] "0s" "0s" "0s" "0s" '\x00'}`,
		}},
		{"ONBUILD", "FROM scratch\nONBUILD RUN echo hi\n", nil, []string{`/bin/sh -c #(nop)  ONBUILD RUN echo hi`}},
		{"ARG", "FROM scratch\nARG A B=2\n", nil, []string{`/bin/sh -c #(nop)  ARG A B=2`}},
		{"SHELL", "FROM scratch\nSHELL [\"/bin/bash\", \"-c\"]\nENV A=1\nWORKDIR /w\nCMD x\nSHELL [\"/bin/sh\", \"-eu\", \"-c\"]\n", nil, []string{
			`/bin/bash -c #(nop)  SHELL [/bin/bash -c]`,
			`/bin/bash -c #(nop)  ENV A=1`,
			`/bin/bash -c #(nop) WORKDIR /w`,
			`/bin/bash -c #(nop)  CMD ["/bin/bash" "-c" "x"]`,
			`/bin/sh -eu -c #(nop)  SHELL [/bin/sh -eu -c]`,
		}},
		{"WORKDIR", "FROM scratch\nWORKDIR /a\nWORKDIR b/../c\n", nil, []string{
			`/bin/sh -c #(nop) WORKDIR /a`,
			`/bin/sh -c #(nop) WORKDIR /a/c`,
		}},
		{"RUN", "FROM scratch\nRUN echo hi\nRUN [\"echo\", \"hi\"]\n", nil, []string{
			`/bin/sh -c echo hi`,
			`echo hi`,
		}},
		// Build args: those with a value, sorted, less those an ENV hides;
		// the predefined proxy args only when an ARG names them.
		{"RUN args", "FROM scratch\nARG Z=26 A NOVALUE\nARG HTTP_PROXY\nRUN make\nENV Z=env\nRUN [\"make\", \"x\"]\n",
			map[string]*string{"A": strp("1"), "HTTP_PROXY": strp("http://p"), "FTP_PROXY": strp("ftp://p")}, []string{
				`/bin/sh -c #(nop)  ARG Z=26 A NOVALUE`,
				`/bin/sh -c #(nop)  ARG HTTP_PROXY`,
				`|3 A=1 HTTP_PROXY=http://p Z=26 /bin/sh -c make`,
				`/bin/sh -c #(nop)  ENV Z=env`,
				`|2 A=1 HTTP_PROXY=http://p make x`,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, createdBy(t, tc.dockerfile, tc.args, nil)); diff != "" {
				t.Errorf("history entries (-want +got):\n%s", diff)
			}
		})
	}
}

// The tarsums of moby's own tests (builder/remotecontext/tarsum_test.go):
// a file "test" (0755, root, "contents test") at the context's top and
// in a subdirectory.
const (
	mobyTopSum = "55dfeb344351ab27f59aa60ebb0ed12025a2f2f4677bf77d26ea7a671274a9ca"
	mobySubSum = "74a3326b8e766ce63a8e5232f22e9dd895be647fb3ca7d337e5e0a9b3da8ef28"
)

func TestCopyHistoryNamesSourcesByTarsum(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: unpacking the context keeps its root ownership")
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "test", Mode: 0o755, Size: 13, Typeflag: tar.TypeReg},
		{Name: "builder-tarsum-test-subdir/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "builder-tarsum-test-subdir/test", Mode: 0o755, Size: 13, Typeflag: tar.TypeReg},
		{Name: "link", Linkname: "test", Typeflag: tar.TypeSymlink, Mode: 0o777},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte("contents test"))
		}
	}
	tw.Close()
	dir := t.TempDir()
	sums, err := unpackContext(context.Background(), dir, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if sums["test"] != mobyTopSum || sums["builder-tarsum-test-subdir/test"] != mobySubSum {
		t.Fatalf("tarsums %v, want moby's %s and %s", sums, mobyTopSum, mobySubSum)
	}
	// The directory entry's own sum, spelled out from tarsum v1's fields.
	dirSum := sha256hex("namebuilder-tarsum-test-subdir/mode493uid0gid0size0typeflag5linknameunamegnamedevmajor0devminor0")
	dirHash := "dir:" + sha256hex(strings.Join(sortedPair(dirSum, mobySubSum), ","))
	multi := "multi:" + sha256hex("file:"+mobyTopSum+",file:"+mobySubSum)
	got := createdBy(t, `FROM scratch
COPY test /x
COPY link /y
COPY builder-tarsum-test-subdir/test /z/
COPY builder-tarsum-test-subdir /d
COPY test builder-tarsum-test-subdir/test /m/
COPY --chown=1:2 test /o
ADD test /a
`, nil, &buildContext{dir: dir, sums: sums})
	want := []string{
		`/bin/sh -c #(nop) COPY file:` + mobyTopSum + ` in /x `,
		`/bin/sh -c #(nop) COPY file:` + mobyTopSum + ` in /y `,
		`/bin/sh -c #(nop) COPY file:` + mobySubSum + ` in /z/ `,
		`/bin/sh -c #(nop) COPY ` + dirHash + ` in /d `,
		`/bin/sh -c #(nop) COPY ` + multi + ` in /m/ `,
		`/bin/sh -c #(nop) COPY --chown=1:2 file:` + mobyTopSum + ` in /o `,
		`/bin/sh -c #(nop) ADD file:` + mobyTopSum + ` in /a `,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("COPY history (-want +got):\n%s", diff)
	}
}

// A source on disk (a stage's or an image's root, a download) is digested
// with the header Docker builds for it from the file.
func TestDiskHasherMatchesTarsum(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the digest names the file's owner (root here)")
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/test", []byte("contents test"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir+"/test", 0o755)
	os.Chown(dir+"/test", 0, 0)
	if got, err := diskHasher(dir)("test"); err != nil || got != mobyTopSum {
		t.Errorf("disk tarsum = %s, %v; want %s", got, err, mobyTopSum)
	}
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func sortedPair(a, b string) []string {
	if b < a {
		return []string{b, a}
	}
	return []string{a, b}
}

// The digest follows content and mode, not times: Docker's cache ignores
// mtimes (tarsum v1 leaves them out).
func TestSourceDigestIgnoresMtime(t *testing.T) {
	root := t.TempDir()
	p := root + "/f"
	os.WriteFile(p, []byte("one"), 0o644)
	digest := func() string {
		srcs, err := resolveSources(root, []string{"f"}, "COPY")
		if err != nil {
			t.Fatal(err)
		}
		d, err := sourcesDigest(root, diskHasher(root), srcs, false)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d1 := digest()
	if !strings.HasPrefix(d1, "file:") {
		t.Errorf("digest %q", d1)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(p, old, old)
	if digest() != d1 {
		t.Error("a new mtime changed the digest")
	}
	os.Chmod(p, 0o600)
	d2 := digest()
	if d2 == d1 {
		t.Error("a new mode kept the digest")
	}
	os.WriteFile(p, []byte("two"), 0o600)
	if digest() == d2 {
		t.Error("new content kept the digest")
	}
}

// Wildcard matches come in the order of Docker's walk of the context
// (a directory's entries by name, depth first), not sorted as strings:
// "a/x" before "a-b/x".
func TestGlobInWalkOrder(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a", "a-b"} {
		os.Mkdir(root+"/"+d, 0o755)
		os.WriteFile(root+"/"+d+"/x", nil, 0o644)
	}
	got, err := glob(root, "/a*/x")
	if err != nil || !slices.Equal(got, []string{"/a/x", "/a-b/x"}) {
		t.Errorf("glob = %q, %v", got, err)
	}
}

// ADD <url> names the download by its bare tarsum (Docker's copier gives
// no "file:" prefix to remote sources): a root-owned 0600 file named after
// the URL's last path element.
func TestAddURLHistory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the digest names the download's owner (root here)")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "contents test")
	}))
	defer srv.Close()
	df, err := parseDockerfile("Dockerfile", []byte("FROM scratch\nADD "+srv.URL+"/test /a\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := &buildRun{df: df, ctx: &buildContext{dir: t.TempDir()}, scratch: t.TempDir(), declared: map[string]bool{}}
	cmd := df.stages[0].Commands[0]
	c, err := r.changeFor(context.Background(), &stage{}, cmd)
	if err != nil {
		t.Fatal(err)
	}
	want := "/bin/sh -c #(nop) ADD " + sha256hex("nametestmode384uid0gid0size13typeflag0linknameunamegnamedevmajor0devminor0contents test") + " in /a "
	if c.createdBy != want {
		t.Errorf("ADD <url> history = %q, want %q", c.createdBy, want)
	}
}

// The context's tar is outside input: tarSums reads any stream to its
// end without failing, whatever it holds.
func FuzzTarSums(f *testing.F) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "a", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
	tw.Write([]byte("x"))
	tw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("not a tar"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		tarSums(r)
		if r.Len() != 0 {
			t.Fatalf("%d bytes left unread", r.Len())
		}
	})
}
