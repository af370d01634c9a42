package e2e

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// cliTarNames lists the entries of a tar stream.
func cliTarNames(t *testing.T, data []byte) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatalf("read tar: %v", err)
		}
		names = append(names, strings.TrimPrefix(h.Name, "./"))
	}
}

func TestCLIDiffCpExportCommit(t *testing.T) {
	d := cliContainerDaemon(t)
	d.ok(t, "run", "-d", "--name", "box", "busybox", "sh", "-c", "echo made > /tmp/new; rm /bin/vi; exec sleep 1000")
	cliEventually(t, "the container's changes", func() bool { return strings.Contains(d.ok(t, "diff", "box"), "A /tmp/new") })
	diff := d.ok(t, "diff", "box")
	for _, want := range []string{"C /bin\n", "D /bin/vi\n", "C /tmp\n", "A /tmp/new\n"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}

	// cp out, to a file and as a tar stream; cp in, a file and a directory.
	dir := t.TempDir()
	r := d.berth(t, nil, "cp", "box:/tmp/new", filepath.Join(dir, "got"))
	if data, err := os.ReadFile(filepath.Join(dir, "got")); r.code != 0 || string(data) != "made\n" || !strings.Contains(r.stderr, "Successfully copied") {
		t.Errorf("cp out: %q %v %s", data, err, r)
	}
	r = d.berth(t, nil, "cp", "box:/tmp/new", "-")
	if names := cliTarNames(t, []byte(r.stdout)); r.code != 0 || len(names) != 1 || names[0] != "new" {
		t.Errorf("cp out to -: %q %s", names, r)
	}
	if err := os.MkdirAll(filepath.Join(dir, "site", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "site", "sub", "index.html"), []byte("<p>hi</p>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.ok(t, "cp", filepath.Join(dir, "site"), "box:/srv")
	if out := d.ok(t, "exec", "box", "cat", "/srv/sub/index.html"); out != "<p>hi</p>\n" {
		t.Errorf("cp in of a directory: %q", out)
	}
	if r := d.berth(t, nil, "cp", "box:/nonexistent", dir); r.code != 125 || !strings.Contains(r.stderr, "nonexistent") {
		t.Errorf("cp of a missing path: %s", r)
	}

	// Paths that try to leave the container resolve inside its root.
	d.ok(t, "exec", "box", "ln", "-s", "../../../../../etc", "/tmp/escape")
	r = d.berth(t, nil, "cp", "box:/tmp/escape/passwd", filepath.Join(dir, "passwd"))
	want := d.ok(t, "exec", "box", "cat", "/etc/passwd")
	if data, _ := os.ReadFile(filepath.Join(dir, "passwd")); r.code != 0 || string(data) != want {
		t.Errorf("cp out through a symlink to ../../etc: want the container's passwd %q, got %q (%s)", want, data, r)
	}
	marker := "berth-e2e-escape-" + filepath.Base(dir)
	if err := os.WriteFile(filepath.Join(dir, marker), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.ok(t, "cp", filepath.Join(dir, marker), "box:/../../../../tmp/")
	if _, err := os.Stat(filepath.Join("/tmp", marker)); err == nil {
		os.Remove(filepath.Join("/tmp", marker))
		t.Errorf("cp in to /../../tmp wrote the host's /tmp")
	}
	if r := d.berth(t, nil, "exec", "box", "test", "-e", "/tmp/"+marker); r.code != 0 {
		t.Errorf("cp in to /../../tmp did not land in the container's /tmp: %s", r)
	}
	// berth refuses to unpack a layer holding a link that climbs above
	// its root (Docker keeps it), so the link goes before the commit below.
	d.ok(t, "exec", "box", "rm", "/tmp/escape")

	// export: the whole filesystem, to stdout or whole to -o.
	r = d.berth(t, nil, "export", "box")
	names := strings.Join(cliTarNames(t, []byte(r.stdout)), "\n")
	if r.code != 0 || !regexp.MustCompile(`(?m)^bin/busybox$`).MatchString(names) || !regexp.MustCompile(`(?m)^tmp/new$`).MatchString(names) ||
		regexp.MustCompile(`(?m)^bin/vi$`).MatchString(names) {
		t.Errorf("export: exit %d, entries:\n%s", r.code, names)
	}
	d.ok(t, "export", "-o", filepath.Join(dir, "box.tar"), "box")
	if data, err := os.ReadFile(filepath.Join(dir, "box.tar")); err != nil || len(cliTarNames(t, data)) == 0 {
		t.Errorf("export -o: %v", err)
	}

	// commit: the changes become an image a new container sees.
	id := strings.TrimSpace(d.ok(t, "commit", "-m", "snapshot", "-a", "tester", "box", "snap:1"))
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(id) {
		t.Errorf("commit printed %q, want the image ID", id)
	}
	if out := d.ok(t, "run", "--rm", "snap:1", "sh", "-c", "cat /tmp/new; test -e /bin/vi || echo no-vi"); out != "made\nno-vi\n" {
		t.Errorf("container of the committed image: %q", out)
	}
	if out := d.ok(t, "image", "inspect", "-f", "{{.Author}}", "snap:1"); out != "tester\n" {
		t.Errorf("committed image: %q", out)
	}
}

func TestCLITopStatsPortInspectEventsDf(t *testing.T) {
	d := cliContainerDaemon(t)
	d.ok(t, "run", "-d", "--name", "srv", "-p", "127.0.0.1::80", "--memory", "64m", "--cpus", "1.5", "busybox", "httpd", "-f", "-p", "80")
	top := d.ok(t, "top", "srv")
	if !regexp.MustCompile(`^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\n.*httpd -f -p 80\n$`).MatchString(top) {
		t.Errorf("top:\n%s", top)
	}
	stats := d.ok(t, "stats", "--no-stream", "srv")
	if !regexp.MustCompile(`^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE / LIMIT\s+MEM %\s+NET I/O\s+BLOCK I/O\s+PIDS\n[0-9a-f]{12}\s+srv\s+\d+\.\d\d%\s+\S+ / 64MiB\s+\d+\.\d\d%\s+\S+ / \S+\s+\S+ / \S+\s+1\n$`).MatchString(stats) {
		t.Errorf("stats --no-stream:\n%s", stats)
	}
	if out := d.ok(t, "stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "srv"); out != "srv 1\n" {
		t.Errorf("stats --format: %q", out)
	}
	if out := d.ok(t, "port", "srv"); !regexp.MustCompile(`^80/tcp -> 127\.0\.0\.1:\d+\n$`).MatchString(out) {
		t.Errorf("port: %q", out)
	}
	if out := d.ok(t, "inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", "srv"); out != "67108864 1500000000\n" {
		t.Errorf("inspect of the limits: %q", out)
	}
	if r := d.berth(t, nil, "inspect", "nosuch"); r.code != 125 || !strings.Contains(r.stderr, "No such object: nosuch") {
		t.Errorf("inspect of nothing: %s", r)
	}
	events := d.ok(t, "events", "--since", "5m", "--until", "-2s", "--filter", "container=srv")
	if !regexp.MustCompile(`(?m)^\S+ container create [0-9a-f]{64} \(.*name=srv.*\)$`).MatchString(events) ||
		!regexp.MustCompile(`(?m)^\S+ container start [0-9a-f]{64} `).MatchString(events) {
		t.Errorf("events:\n%s", events)
	}
	df := d.ok(t, "system", "df")
	if !regexp.MustCompile(`^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\nImages\s+1\s+1\s+\S+\s+\S+ \(0%\)\nContainers\s+1\s+1\s`).MatchString(df) {
		t.Errorf("system df:\n%s", df)
	}
}
