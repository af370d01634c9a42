package e2e

import (
	"strings"
	"testing"
)

// WORKDIR creates its directory in the image even when no later step
// uses it (Docker's documented behaviour), in a layer of its own, and a
// rebuild is fully cached; a WORKDIR over a file fails naming it.
func TestBuildWorkdirCreatesDirectory(t *testing.T) {
	d := startDaemon(t)
	importBusybox(t, d, "busybox:latest")
	dir := buildContextDir(t, "FROM busybox\nENV TOP=/a\nWORKDIR $TOP\nWORKDIR b\n", map[string]string{})

	out := d.ok(t, "build", "-t", "wd:e2e", dir)
	if !strings.Contains(out, "Step 4/4 : WORKDIR b\n ---> Running in ") {
		t.Errorf("berth build output:\n%s", out)
	}
	ls := d.ok(t, "run", "--rm", "wd:e2e", "ls", "-ld", "/a/b")
	if f := strings.Fields(ls); len(f) < 4 || f[0] != "drwxr-xr-x" || f[2] != "root" || f[3] != "root" {
		t.Errorf("ls -ld /a/b in the built image: %q", ls)
	}
	if got := d.ok(t, "run", "--rm", "wd:e2e", "pwd"); got != "/a/b\n" {
		t.Errorf("pwd in the built image: %q", got)
	}
	hist := d.ok(t, "history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", "wd:e2e")
	for _, want := range []string{"/bin/sh -c #(nop) WORKDIR /a/b|", "/bin/sh -c #(nop) WORKDIR /a|"} {
		if !strings.Contains(hist, want) || strings.Contains(hist, want+"0B") {
			t.Errorf("history lacks a layer %q:\n%s", want, hist)
		}
	}

	id := d.ok(t, "build", "-q", "-t", "wd:e2e", dir)
	if again := d.ok(t, "build", "-q", dir); again != id {
		t.Errorf("a rebuild gave %q, then %q", id, again)
	}
	out = d.ok(t, "build", dir)
	if strings.Contains(out, "Running in") || strings.Count(out, "Using cache") != 3 {
		t.Errorf("the rebuild was not fully cached:\n%s", out)
	}

	r := d.berth(t, strings.NewReader("FROM busybox\nWORKDIR /etc/passwd\n"), "build", "-t", "wd:never", "-")
	if r.code != 125 || !strings.Contains(r.stderr, "WORKDIR /etc/passwd: cannot mkdir: /etc/passwd is not a directory") {
		t.Errorf("WORKDIR over a file: %s", r)
	}
	if r := d.berth(t, nil, "image", "inspect", "wd:never"); r.code == 0 {
		t.Error("the failed build tagged wd:never")
	}
}
