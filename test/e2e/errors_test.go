package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthproject/berth/test/testimage"
)

// apiClient talks HTTP to d's socket directly.
func apiClient(d *daemon) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", d.sock)
		},
	}}
}

// apiCall returns the status and Docker error message of one request.
func apiCall(t *testing.T, d *daemon, method, path string, body io.Reader) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, "http://berth"+path, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := apiClient(d).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct{ Message string }
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(b, &e); err != nil {
			t.Errorf("%s %s: error body is not Docker JSON: %q", method, path, b)
		}
	}
	return resp.StatusCode, e.Message, resp.Header
}

func TestAPIErrorsAndVersions(t *testing.T) {
	d := startDaemon(t)
	importBusybox(t, d, "busybox:latest")
	cases := []struct {
		method, path string
		status       int
		message      string
	}{
		{"GET", "/v1.23/version", 400, "client version 1.23 is too old. Minimum supported API version is 1.24"},
		{"GET", "/v9.1/version", 400, "client version 9.1 is too new. Maximum supported API version is 1.56"},
		{"GET", "/v1.24/images/nosuch/json", 404, "No such image: nosuch"},
		{"GET", "/images/UPPER%2FCase/json", 400, ""},
		{"POST", "/images/busybox/tag?repo=a:b:c", 400, ""},
		{"GET", "/nosuchroute", 404, "page not found"},
	}
	for _, c := range cases {
		status, msg, _ := apiCall(t, d, c.method, c.path, nil)
		if status != c.status || !strings.Contains(msg, c.message) {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.path, status, msg, c.status, c.message)
		}
	}
	status, _, h := apiCall(t, d, "HEAD", "/_ping", nil)
	if status != 200 || h.Get("API-Version") != "1.56" || h.Get("OSType") != "linux" || h.Get("Docker-Experimental") != "false" {
		t.Errorf("HEAD /_ping: %d %v", status, h)
	}
	// Names with slashes and colons route to the image.
	if status, msg, _ := apiCall(t, d, "GET", "/v1.50/images/docker.io/library/busybox:latest/json", nil); status != 200 {
		t.Errorf("inspect by full name: %d %s", status, msg)
	}
}

func TestCLIErrorsLeaveStoreAsItWas(t *testing.T) {
	d := startDaemon(t)
	importBusybox(t, d, "busybox:latest")
	before := d.ok(t, "images", "-a", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}} {{.Size}} {{.CreatedAt}}")
	dir := t.TempDir()
	notTar := filepath.Join(dir, "not.tar")
	os.WriteFile(notTar, []byte(strings.Repeat("this is not a tar archive\n", 100)), 0o644)
	full := testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"trunc:1"}, Layers: 2, Salt: "trunc"})
	truncated := filepath.Join(dir, "truncated.tar")
	os.WriteFile(truncated, full[:len(full)/2], 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"image", "inspect", "nosuch"}, "No such image: nosuch"},
		{[]string{"rmi", "nosuch:1"}, "No such image: nosuch:1"},
		{[]string{"history", "nosuch"}, "No such image: nosuch"},
		{[]string{"tag", "busybox", "UPPER/Case"}, "UPPER/Case"},
		{[]string{"tag", "busybox", "a:b:c"}, "a:b:c"},
		{[]string{"load", "-i", notTar}, ""},
		{[]string{"load", "-i", truncated}, ""},
		{[]string{"save", "-o", filepath.Join(dir, "x.tar"), "nosuch"}, "No such image: nosuch"},
		{[]string{"images", "--filter", "bogus=1"}, "invalid filter 'bogus'"},
		{[]string{"images", "--format", "{{.Nope"}, "template parsing error"},
	} {
		r := d.berth(t, nil, c.args...)
		if r.code != 125 || !strings.Contains(r.stderr, c.want) || r.stderr == "" {
			t.Errorf("berth %s: %s", strings.Join(c.args, " "), r)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.tar")); !os.IsNotExist(err) {
		t.Errorf("failed save left its output file: %v", err)
	}
	if after := d.ok(t, "images", "-a", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}} {{.Size}} {{.CreatedAt}}"); after != before {
		t.Errorf("store changed by failed commands:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	r := d.berth(t, bytes.NewReader(nil), "import", "/nonexistent/rootfs.tar")
	if r.code != 125 || !strings.Contains(r.stderr, "/nonexistent/rootfs.tar") {
		t.Errorf("import of a missing file: %s", r)
	}
}
