package docs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berthproject/berth/test/binaries"
	"github.com/berthproject/berth/test/harness"
	"github.com/berthproject/berth/test/testimage"
)

// TestDocExamples runs every console block of docs/*.md, one subtest per
// block named page:line, each against a daemon of its own.
func TestDocExamples(t *testing.T) {
	root, err := binaries.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	// BERTH_DOCS_DIR runs the examples of draft pages kept elsewhere.
	dir := filepath.Join(root, "docs")
	if d := os.Getenv("BERTH_DOCS_DIR"); d != "" {
		dir = d
	}
	examples, err := examplesIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) == 0 {
		t.Fatalf("no console examples found in %s", dir)
	}
	needRoot(t)
	busybox := testimage.DockerArchive(t, testimage.Options{RepoTags: []string{"busybox:latest"}})
	for _, ex := range examples {
		t.Run(ex.name(), func(t *testing.T) { runExample(t, ex, busybox) })
	}
}

// runExample runs the block as one bash script, a marker after each command
// carrying its exit status, and compares each command's share of the output.
func runExample(t *testing.T, ex example, busybox []byte) {
	skipWithoutTools(t, ex)
	d := startDaemon(t)
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "busybox.tar"), busybox, 0o644); err != nil {
		t.Fatal(err)
	}
	testimage.BusyboxRootfs(t, filepath.Join(work, "rootfs"))
	if r := d.Berth(t, nil, "load", "-i", filepath.Join(work, "busybox.tar")); r.Code != 0 {
		t.Fatalf("load busybox: %s", r)
	}

	env := []string{
		"PATH=" + bindir + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"BERTH_HOST=" + d.Host, "DOCKER_HOST=" + d.Host,
		"HOME=" + work, "DOCKER_CONFIG=" + filepath.Join(work, ".docker"),
	}
	if ex.needsRegistry() {
		env = append(env, "REGISTRY="+startRegistry(t))
	}

	var script strings.Builder
	script.WriteString("exec 2>&1 </dev/null\n")
	for i, c := range ex.cmds {
		fmt.Fprintf(&script, "%s\n__rc=$?; printf '\\036@%d %%d\\n' \"$__rc\"; (exit \"$__rc\")\n", c.text, i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir = work
	cmd.Env = append(harness.CleanEnv(), env...)
	// The script's children (a container's client, say) must not hold the
	// output open past the script: the context ends them all.
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	runErr := cmd.Run()

	outputs, codes := splitOutput(out.String())
	for i, c := range ex.cmds {
		where := fmt.Sprintf("%s:%d: $ %s", ex.page, c.line, c.text)
		if i >= len(outputs) {
			t.Fatalf("%s: did not run (script ended: %v)\nwhole output:\n%s", where, runErr, out.String())
		}
		got := lines(outputs[i])
		if !matches(trimBlank(c.want), got) {
			t.Errorf("%s: output differs\n--- the page shows:\n%s\n--- berth printed:\n%s",
				where, strings.Join(c.want, "\n"), strings.Join(got, "\n"))
		}
		if codes[i] != 0 && (i+1 >= len(ex.cmds) || strings.TrimSpace(ex.cmds[i+1].text) != "echo $?") {
			t.Errorf("%s: exited %d (follow it with `$ echo $?` if that is the point)", where, codes[i])
		}
	}
}

var markerRE = regexp.MustCompile("\x1e@([0-9]+) ([0-9]+)\n")

// splitOutput cuts the script's output at the markers.
func splitOutput(s string) (outputs []string, codes []int) {
	prev := 0
	for _, m := range markerRE.FindAllStringSubmatchIndex(s, -1) {
		outputs = append(outputs, s[prev:m[0]])
		code, _ := strconv.Atoi(s[m[4]:m[5]])
		codes = append(codes, code)
		prev = m[1]
	}
	return outputs, codes
}

// lines splits output into lines without the last newline and trailing
// blank lines.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return trimBlank(strings.Split(strings.TrimSuffix(s, "\n"), "\n"))
}

func trimBlank(l []string) []string {
	for len(l) > 0 && strings.TrimSpace(l[len(l)-1]) == "" {
		l = l[:len(l)-1]
	}
	return l
}
