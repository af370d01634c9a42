// Command berth is the berth CLI; `berth daemon` executes berthd.
package main

import (
	"context"
	"os"

	"github.com/berthproject/berth/internal/cli"
)

func main() {
	os.Exit(cli.Execute(context.Background(), os.Args[1:]))
}
