// Command berth-shim is berth's container monitor: one process serving many
// containers (see internal/shim). The daemon starts it through shim.Launch.
package main

import (
	"os"

	"github.com/berthproject/berth/internal/runtime"
	"github.com/berthproject/berth/internal/shim/server"
)

func main() {
	// First: in a container's init this never returns.
	runtime.Init()
	os.Exit(server.Main(os.Args[1:]))
}
