// Command berth is the berth CLI and, as `berth daemon`, the daemon.
package main

import (
	"context"
	"os"

	"github.com/berthproject/berth/internal/cli"
	"github.com/berthproject/berth/internal/runtime"
)

func main() {
	// The daemon's builder runs RUN steps with the runtime library, which
	// re-executes this binary as the container's init.
	runtime.Init()
	os.Exit(cli.Execute(context.Background(), os.Args[1:]))
}
