package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDaemonStaysSlim guards the daemon's idle memory (docs/daemon.md,
// MEMORY): the resident process's size follows its binary's, so berthd
// must not link the CLI (moby's client, cobra), nor the runtime, whose
// cgo constructor and libseccomp would make it a dynamic, larger binary.
func TestDaemonStaysSlim(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	forbidden := []string{
		"github.com/berthproject/berth/internal/cli",
		"github.com/berthproject/berth/internal/runtime",
		"github.com/berthproject/berth/internal/runtime/seccomp",
		"github.com/berthproject/berth/internal/runtime/nsenter",
		"github.com/seccomp/libseccomp-golang",
		"github.com/moby/moby/client",
		"github.com/spf13/cobra",
		"go.opentelemetry.io/otel",
	}
	deps := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	for _, p := range forbidden {
		if deps[p] {
			t.Errorf("berthd links %s (see docs/daemon.md, MEMORY); `go mod why -m` or `go list -deps` shows which import brings it", p)
		}
	}
}
