// Command berthd is the berth daemon; `berth daemon` executes it. It is a
// binary of its own so that the daemon, which stays resident, carries none
// of the CLI's code (see docs/daemon.md, "Memory").
package main

import (
	"os"

	"github.com/berthproject/berth/internal/daemon"
	"github.com/berthproject/berth/internal/runtime"
)

func main() {
	// The daemon's builder runs RUN steps with the runtime library, which
	// re-executes this binary as the container's init.
	runtime.Init()
	os.Exit(daemon.Main(os.Args[1:], os.Stdout, os.Stderr))
}
