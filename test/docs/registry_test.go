package docs

import (
	"strings"
	"testing"

	"github.com/berthproject/berth/test/harness"
)

// needsRegistry reports whether an example talks to $REGISTRY.
func (e example) needsRegistry() bool {
	for _, c := range e.cmds {
		if strings.Contains(c.text, "$REGISTRY") {
			return true
		}
	}
	return false
}

// startRegistry starts a plain-HTTP registry for one example and returns
// its address; it is killed when the example ends.
func startRegistry(t *testing.T) string {
	t.Helper()
	return harness.StartRegistry(t, harness.RegistryOptions{}).Addr
}
