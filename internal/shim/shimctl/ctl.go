// Package shimctl is `berth-shim ctl`: a small command line client of a
// running berth-shim, for debugging and for bench/shim-memory.sh.
package shimctl

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"

	"github.com/berthproject/berth/internal/shim"
)

const usage = `usage: berth-shim ctl --state-dir DIR COMMAND [ARGS]
commands:
  ping                       print the shim's pid
  create ID BUNDLE [LOG]     create a container (json-file log at LOG)
  start ID | delete ID       start / delete a container
  kill ID [SIGNAL]           signal a container (number, default 9)
  wait ID                    wait for a container or exec; print its exit code
  state ID                   print its state as JSON
  list                       print every container: ID STATUS PID EXIT`

// Main runs one command, printing its result to out, and returns the exit
// status.
func Main(args []string, out io.Writer) int {
	fs := flag.NewFlagSet("berth-shim ctl", flag.ContinueOnError)
	stateDir := fs.String("state-dir", "", "the shim's state directory")
	fs.Usage = func() { fmt.Fprintln(os.Stderr, usage) }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *stateDir == "" || fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if err := run(context.Background(), shim.Connect(*stateDir), fs.Args(), out); err != nil {
		fmt.Fprintln(os.Stderr, "berth-shim ctl:", err)
		return 1
	}
	return 0
}

func run(ctx context.Context, c *shim.Client, args []string, out io.Writer) error {
	cmd, args := args[0], args[1:]
	need := map[string]int{"ping": 0, "list": 0, "create": 2, "start": 1, "delete": 1, "kill": 1, "wait": 1, "state": 1}
	n, ok := need[cmd]
	if !ok || len(args) < n {
		return fmt.Errorf("%q: bad command or missing arguments\n%s", cmd, usage)
	}
	switch cmd {
	case "ping":
		pid, err := c.Pid(ctx)
		if err == nil {
			fmt.Fprintln(out, pid)
		}
		return err
	case "create":
		req := shim.CreateRequest{ID: args[0], Bundle: args[1], Log: shim.LogConfig{Driver: "none"}}
		if len(args) > 2 {
			req.Log = shim.LogConfig{Path: args[2]}
		}
		pid, err := c.Create(ctx, req)
		if err == nil {
			fmt.Fprintln(out, pid)
		}
		return err
	case "start":
		return c.Start(ctx, args[0])
	case "delete":
		return c.Delete(ctx, args[0])
	case "kill":
		sig := 9
		if len(args) > 1 {
			var err error
			if sig, err = strconv.Atoi(args[1]); err != nil {
				return fmt.Errorf("signal %q: want a number", args[1])
			}
		}
		return c.Kill(ctx, args[0], syscall.Signal(sig), false)
	case "wait":
		st, err := c.Wait(ctx, args[0])
		if err == nil {
			fmt.Fprintln(out, st.ExitCode)
		}
		return err
	case "state":
		st, err := c.State(ctx, args[0])
		if err == nil {
			data, _ := json.MarshalIndent(st, "", "  ")
			fmt.Fprintln(out, string(data))
		}
		return err
	}
	list, err := c.List(ctx)
	for _, st := range list {
		fmt.Fprintln(out, st.ID, st.Status, st.Pid, st.ExitCode)
	}
	return err
}
