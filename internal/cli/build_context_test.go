package cli

import (
	"archive/tar"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func tarNames(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out[h.Name] = string(b)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The context leaves out what .dockerignore excludes, but always holds
// the Dockerfile and the ignore file.
func TestBuildContextAppliesDockerignore(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Dockerfile": "FROM x", ".dockerignore": "*.log\nbuild/\nDockerfile\n!keep.log\n",
		"a.txt": "a", "x.log": "x", "keep.log": "k", "build/out": "o", "src/b.txt": "b",
	})
	r, name, err := buildContext(context.Background(), nil, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	got := tarNames(t, r)
	var names []string
	for n := range got {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{".dockerignore", "Dockerfile", "a.txt", "keep.log", "src/", "src/b.txt"}
	if name != "Dockerfile" || !slices.Equal(names, want) {
		t.Errorf("context %q holds %v, want %v", name, names, want)
	}
}

// A Dockerfile from outside the context, or from stdin, is added under
// a name of its own.
func TestBuildContextOutsideDockerfile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.txt": "a", "sub/Dockerfile.dev": "FROM inside"})
	outside := filepath.Join(t.TempDir(), "Dockerfile.other")
	writeFiles(t, filepath.Dir(outside), map[string]string{"Dockerfile.other": "FROM outside"})

	r, name, err := buildContext(context.Background(), nil, dir, outside)
	if err != nil {
		t.Fatal(err)
	}
	if got := tarNames(t, r); !strings.HasPrefix(name, ".dockerfile.") || got[name] != "FROM outside" || got["a.txt"] != "a" {
		t.Errorf("-f outside: %q %v", name, got)
	}
	r, name, err = buildContext(context.Background(), strings.NewReader("FROM stdin"), dir, "-")
	if err != nil {
		t.Fatal(err)
	}
	if got := tarNames(t, r); got[name] != "FROM stdin" {
		t.Errorf("-f -: %q %v", name, got)
	}
	r, name, err = buildContext(context.Background(), nil, dir, filepath.Join(dir, "sub", "Dockerfile.dev"))
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if name != "sub/Dockerfile.dev" {
		t.Errorf("-f inside the context gives %q", name)
	}
	if _, _, err := buildContext(context.Background(), nil, dir, ""); err == nil || !strings.Contains(err.Error(), "cannot locate Dockerfile") {
		t.Errorf("no Dockerfile: %v", err)
	}
	if _, _, err := buildContext(context.Background(), nil, "-", "-"); err == nil {
		t.Error("stdin for both context and Dockerfile accepted")
	}
}
