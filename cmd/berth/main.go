// Command berth is the berth CLI and, as `berth daemon`, the daemon.
package main

import (
	"context"
	"os"

	"github.com/berthproject/berth/internal/cli"
)

func main() {
	os.Exit(cli.Execute(context.Background(), os.Args[1:]))
}
