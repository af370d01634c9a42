package runtime_test

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestConsoleSize: process.consoleSize is the terminal's size from the
// first instruction the process runs (docker run -it sends it at create).
func TestConsoleSize(t *testing.T) {
	e := newEnv(t)
	id, spec := e.spec(sh("stty size")...)
	spec.Process.Terminal = true
	spec.Process.ConsoleSize = &specs.Box{Height: 37, Width: 111}
	if got := strings.TrimSpace(e.runOnConsole(id, spec)); got != "37 111" {
		t.Errorf("stty size = %q, want \"37 111\"", got)
	}
}
