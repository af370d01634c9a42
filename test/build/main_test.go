// Package build_test runs the Dockerfile suite in cases/ through berth's
// builder, in process: real metadata and content stores, the overlay
// snapshotter, and RUN steps in containers made by berth's runtime (the
// test binary is re-executed as their init, hence runtime.Init).
package build_test

import (
	"os"
	"testing"

	"github.com/berthproject/berth/internal/runtime"
)

func TestMain(m *testing.M) {
	runtime.Init()
	os.Exit(m.Run())
}
