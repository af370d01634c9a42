// Command berth is the berth CLI and, as `berth daemon`, the daemon.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "berth: not built yet")
	os.Exit(125)
}
