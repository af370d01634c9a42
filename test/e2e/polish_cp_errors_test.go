package e2e

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cp's failures read as Docker's, through berth's CLI and the docker CLI
// alike, and the API keeps Docker's status codes: a missing path in the
// container is a 404 naming the container, a destination that is a file a
// 400; local mistakes are go-archive's and docker cp's own words.
func TestPolishCpErrorsAsDocker(t *testing.T) {
	d := dockerContainerDaemon(t)
	d.mustDocker(t, "run", "-d", "--name", "cpbox", "busybox", "sleep", "600")
	local := t.TempDir()

	oneTar := func() *bytes.Reader {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		_ = tw.WriteHeader(&tar.Header{Name: "f", Typeflag: tar.TypeReg, Mode: 0o644, Size: 2})
		_, _ = tw.Write([]byte("f\n"))
		_ = tw.Close()
		return bytes.NewReader(buf.Bytes())
	}
	for _, tc := range []struct {
		method, path string
		status       int
		message      string
	}{
		{"GET", "/containers/cpbox/archive?path=/nope", 404, "Could not find the file /nope in container cpbox"},
		{"PUT", "/containers/cpbox/archive?path=/nodir/sub", 404, "Could not find the file /nodir/sub in container cpbox"},
		{"PUT", "/containers/cpbox/archive?path=/bin/busybox", 400, "extraction point is not a directory"},
		{"GET", "/containers/nosuch/archive?path=/", 404, "No such container: nosuch"},
	} {
		var body io.Reader
		if tc.method == "PUT" {
			body = oneTar()
		}
		status, msg, _ := apiCall(t, d, tc.method, tc.path, body)
		if status != tc.status || msg != tc.message {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, status, msg, tc.status, tc.message)
		}
	}

	missingHost := filepath.Join(local, "x")
	for _, tc := range []struct {
		args []string
		want string // the line both CLIs print, after berth's "Error: " prefix
	}{
		{[]string{"cpbox:/nope", filepath.Join(local, "out")}, "Error response from daemon: Could not find the file /nope in container cpbox"},
		{[]string{"/etc/hostname", "cpbox:/nodir/sub/f"}, "Error response from daemon: Could not find the file /nodir/sub in container cpbox"},
		{[]string{"/etc/hostname", "cpbox:/nodir/"}, "no such directory"},
		{[]string{missingHost, "cpbox:/tmp"}, "lstat " + missingHost + ": no such file or directory"},
		{[]string{"cpbox:/bin/busybox", filepath.Join(local, "none", "f")}, `invalid output path: directory "` + filepath.Join(local, "none") + `" does not exist`},
		{[]string{"cpbox:/bin/busybox", filepath.Join(local, "none") + "/"}, "no such directory"},
	} {
		r := d.docker(t, nil, append([]string{"cp"}, tc.args...)...)
		if r.code == 0 || strings.TrimSpace(lastLine(r.stderr)) != tc.want {
			t.Errorf("docker cp %v: want %q\n%s", tc.args, tc.want, r)
		}
		b := d.berth(t, nil, append([]string{"cp"}, tc.args...)...)
		got := strings.TrimPrefix(strings.TrimSpace(b.stderr), "Error: ")
		if b.code != 125 || got != tc.want {
			t.Errorf("berth cp %v: want exit 125 and %q, got %q\n%s", tc.args, tc.want, got, b)
		}
		if strings.Contains(b.stderr, "securejoin") || strings.Contains(b.stderr, "openat2") {
			t.Errorf("berth cp %v leaks the resolver's wording: %s", tc.args, b.stderr)
		}
	}
	// A tar on stdin needs a directory to go into, checked by the client.
	b := d.berth(t, strings.NewReader(""), "cp", "-", "cpbox:/nodir")
	if b.code != 125 || strings.TrimSpace(b.stderr) != `Error: destination "cpbox:/nodir" must be a directory` {
		t.Errorf("berth cp - cpbox:/nodir: %s", b)
	}
	if _, err := os.Stat(filepath.Join(local, "out")); err == nil {
		t.Errorf("a failed cp out left %s behind", filepath.Join(local, "out"))
	}
}

// lastLine is the last non-empty line of s (the docker CLI may log before
// its error line).
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
