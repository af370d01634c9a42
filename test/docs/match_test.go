package docs

import (
	"bufio"
	"strings"
	"testing"
)

func TestParsePage(t *testing.T) {
	page := "text\n```sh\n$ not run\n```\n```console\n$ berth images -q\n<id>\n$ echo a \\\n  b\na b\n```\n"
	ex, err := parsePage("p.md", bufio.NewScanner(strings.NewReader(page)))
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 1 || ex[0].line != 5 || len(ex[0].cmds) != 2 {
		t.Fatalf("examples = %+v", ex)
	}
	if c := ex[0].cmds[1]; c.text != "echo a \\\n  b" || c.line != 8 || len(c.want) != 1 || c.want[0] != "a b" {
		t.Fatalf("continued command = %+v", c)
	}
	if ex, err := parsePage("p.md", bufio.NewScanner(strings.NewReader("```console\n# podman run\nok\n$ x\n```\n"))); err != nil || len(ex) != 0 {
		t.Fatalf("a console block not opening with \"$ \" was taken as an example: %+v %v", ex, err)
	}
}

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"REPOSITORY   TAG   IMAGE ID   CREATED   SIZE\nbusybox latest <id> <time> <size>",
			"REPOSITORY   TAG       IMAGE ID       CREATED          SIZE\nbusybox      latest    855189350a9a   2 hours ago      2.13MB", true},
		{"Deleted: <digest>", "Deleted: sha256:855189350a9a84ea3c0d3a597fcb596c90ec691f758c78fff51fa9dff09e31f0", true},
		{"Deleted: <digest>", "Deleted: sha256:8551", false},
		{"a\n...\nz", "a\nb\nc\nz", true},
		{"a\n...\nz", "a\nz", true},
		{"a\n...", "b", false},
		{"x <...> y", "x anything at all y", true},
		{"127.0.0.1:<n>", "127.0.0.1:32768", true},
		{"one", "one\ntwo", false},
		{"a.b", "axb", false},
	} {
		var want, got []string
		if c.want != "" {
			want = strings.Split(c.want, "\n")
		}
		if c.got != "" {
			got = strings.Split(c.got, "\n")
		}
		if matches(want, got) != c.ok {
			t.Errorf("matches(%q, %q) != %v", c.want, c.got, c.ok)
		}
	}
}

func TestCommandWords(t *testing.T) {
	got := map[string]bool{}
	text := "DOCKER_BUILDKIT=0 docker build -t a - | tee x && ps -o comm= -p $(berth ps -q) ; skopeo inspect docker-archive:x"
	for _, m := range commandWordRE.FindAllStringSubmatch(text, -1) {
		got[m[1]] = true
	}
	for _, w := range []string{"docker", "tee", "ps", "berth", "skopeo"} {
		if !got[w] {
			t.Errorf("%q not found as a command in %q (found %v)", w, text, got)
		}
	}
	if got["docker-archive:x"] || got["inspect"] || got["build"] {
		t.Errorf("arguments taken as commands: %v", got)
	}
}
