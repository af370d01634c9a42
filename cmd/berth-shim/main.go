// Command berth-shim is berth's container monitor: one process serving many
// containers (see internal/shim). The daemon starts it through shim.Launch;
// `berth-shim ctl` is a small client for debugging.
package main

import (
	"os"

	"github.com/berthproject/berth/internal/runtime"
	"github.com/berthproject/berth/internal/shim/server"
	"github.com/berthproject/berth/internal/shim/shimctl"
)

func main() {
	// First: in a container's init this never returns.
	runtime.Init()
	if len(os.Args) > 1 && os.Args[1] == "ctl" {
		os.Exit(shimctl.Main(os.Args[2:], os.Stdout))
	}
	os.Exit(server.Main(os.Args[1:]))
}
