package daemon

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMainHelpPrintsUsageAndFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main([]string{"--help"}, &out, &errOut); code != 0 {
		t.Fatalf("--help: exit %d, stderr %q", code, errOut.String())
	}
	for _, want := range []string{"berth daemon [OPTIONS]", "--exec-root", "--config-file", "--insecure-registry", "Examples:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, out.String())
		}
	}
}

func TestMainBadArgumentsFailBeforeStarting(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	for _, args := range [][]string{
		{"--root", root, "--bogus"},
		{"--root", root, "extra"},
		{"--root", root, "--log-level", "loud", "--config-file", filepath.Join(t.TempDir(), "none.json")},
	} {
		var out, errOut bytes.Buffer
		if code := Main(args, &out, &errOut); code != ExitFailure {
			t.Errorf("%q: exit %d, want %d", args, code, ExitFailure)
		}
		if errOut.Len() == 0 || !strings.Contains(errOut.String(), args[len(args)-1]) && !strings.Contains(errOut.String(), "loud") {
			t.Errorf("%q: stderr does not name the mistake: %q", args, errOut.String())
		}
		if _, err := os.Stat(root); !os.IsNotExist(err) {
			t.Errorf("%q: the root was created by a daemon that should not have started", args)
		}
	}
}
