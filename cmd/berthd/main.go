// Command berthd is the berth daemon; `berth daemon` executes it. It is a
// binary of its own so that the daemon, which stays resident, carries none
// of the CLI's code (see docs/daemon.md, "Memory").
package main

import (
	"os"

	"github.com/berthproject/berth/internal/daemon"
)

func main() {
	os.Exit(daemon.Main(os.Args[1:], os.Stdout, os.Stderr))
}
