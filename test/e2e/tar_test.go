package e2e

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"testing"
)

// sameTarContents reports whether two tars hold the same files with the
// same bytes (header times and order may differ).
func sameTarContents(t *testing.T, a, b string) bool {
	t.Helper()
	x, y := tarDigests(t, a), tarDigests(t, b)
	if len(x) != len(y) {
		t.Logf("%s has %d files, %s has %d", a, len(x), b, len(y))
		return false
	}
	for name, d := range x {
		if y[name] != d {
			t.Logf("%s differs between %s and %s", name, a, b)
			return false
		}
	}
	return true
}

func tarDigests(t *testing.T, path string) map[string][32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][32]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = sha256.Sum256(b)
	}
}
