package build

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
)

func TestParseDockerfileErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"FROM busybox\nBOGUS x\n", "Dockerfile.dev: dockerfile parse error on line 2: unknown instruction: BOGUS"},
		{"RUN true\n", "line 1: no build stage in current context"},
		{"# just a comment\n", "file with no instructions"},
		{"FROM busybox\nCOPY\n", "line 2"},
	} {
		_, err := parseDockerfile("Dockerfile.dev", []byte(tc.text))
		if err == nil || !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.text, err, tc.want)
		}
	}
}

func TestStagesNeededByTarget(t *testing.T) {
	df, err := parseDockerfile("Dockerfile", []byte(`FROM busybox AS a
FROM busybox AS b
COPY --from=a /x /x
FROM b AS c
FROM busybox AS d
COPY --from=1 /y /y
`))
	if err != nil {
		t.Fatal(err)
	}
	id := func(s string) string { return s }
	for target, want := range map[string][]bool{
		"c": {true, true, true, false},
		"d": {true, true, false, true},
		"a": {true, false, false, false},
	} {
		i, err := df.target(target)
		if err != nil {
			t.Fatal(err)
		}
		if got := df.needed(i, id); !slices.Equal(got, want) {
			t.Errorf("target %s needs %v, want %v", target, got, want)
		}
	}
}

func TestExposedPorts(t *testing.T) {
	got, err := exposedPorts([]string{"80", "53/UDP", "8000-8001/tcp", "80/tcp"})
	if err != nil || !slices.Equal(got, []string{"53/udp", "80/tcp", "8000/tcp", "8001/tcp"}) {
		t.Errorf("exposedPorts = %v, %v", got, err)
	}
	for _, bad := range []string{"x", "80/foo", "9-1", "70000"} {
		if _, err := exposedPorts([]string{bad}); err == nil {
			t.Errorf("EXPOSE %s accepted", bad)
		}
	}
}

// Sources resolve inside the context: .. and absolute symlinks stop at
// its root.
func TestResolveSourcesStaysInRoot(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "a.txt"), []byte("a"), 0o644)
	os.Symlink("/etc", filepath.Join(root, "etc-link"))
	if _, err := resolveSources(root, []string{"../../etc/passwd"}, "COPY"); !errdefs.IsNotFound(err) {
		t.Errorf("../../etc/passwd: %v", err)
	}
	if _, err := resolveSources(root, []string{"etc-link/passwd"}, "COPY"); !errdefs.IsNotFound(err) {
		t.Errorf("etc-link/passwd: %v", err)
	}
	srcs, err := resolveSources(root, []string{"*.txt"}, "COPY")
	if err != nil || len(srcs) != 1 || srcs[0].name != "a.txt" {
		t.Errorf("*.txt: %+v, %v", srcs, err)
	}
	if _, err := resolveSources(root, []string{"*.none"}, "COPY"); !errdefs.IsNotFound(err) {
		t.Errorf("*.none: %v", err)
	}
}

func FuzzParseDockerfile(f *testing.F) {
	f.Add([]byte("FROM busybox\nRUN echo hi\n"))
	f.Add([]byte("ARG A=1\nFROM scratch AS s\nCOPY <<EOF /x\nhi\nEOF\n"))
	f.Add([]byte("# escape=`\nFROM x\nRUN a `\n b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		df, err := parseDockerfile("Dockerfile", data)
		if err != nil {
			if !errdefs.IsInvalidArgument(err) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if len(df.stages) == 0 {
			t.Fatal("parsed with no stage")
		}
	})
}
