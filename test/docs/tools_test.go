package docs

import (
	"os/exec"
	"regexp"
	"testing"
)

// optionalTools are programs some examples call that a machine may lack
// (make deps installs them); an example that needs a missing one is skipped,
// naming it, rather than failed.
var optionalTools = []string{"docker", "skopeo", "curl", "ps", "docker-registry"}

// commandWordRE finds the words in command position: at the start, after a
// pipe, a list operator, a subshell or $( opener, or after VAR=value.
var commandWordRE = regexp.MustCompile(`(?:^|[|;&(]|\$\()\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*([A-Za-z0-9_.-]+)`)

// skipWithoutTools skips the example when a program it calls is missing.
func skipWithoutTools(t *testing.T, ex example) {
	t.Helper()
	used := map[string]bool{}
	for _, c := range ex.cmds {
		for _, m := range commandWordRE.FindAllStringSubmatch(c.text, -1) {
			used[m[1]] = true
		}
	}
	if ex.needsRegistry() {
		used["docker-registry"] = true
	}
	for _, tool := range optionalTools {
		if _, err := exec.LookPath(tool); used[tool] && err != nil {
			t.Skipf("%s is not installed (make deps installs it)", tool)
		}
	}
}
