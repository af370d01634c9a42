package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/berthproject/berth/internal/runtime"
	"golang.org/x/sys/unix"
)

type createFlags struct {
	bundle, pidFile, consoleSocket string
	noPivot, noNewKeyring          bool
	preserveFds                    int
}

func (c *createFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.bundle, "bundle", ".", "path to the bundle directory")
	fs.StringVar(&c.bundle, "b", ".", "path to the bundle directory")
	fs.StringVar(&c.pidFile, "pid-file", "", "write the init's pid here")
	fs.StringVar(&c.consoleSocket, "console-socket", "", "unix socket that receives the pty master")
	fs.BoolVar(&c.noPivot, "no-pivot", false, "use chroot instead of pivot_root")
	fs.BoolVar(&c.noNewKeyring, "no-new-keyring", false, "keep the session keyring")
	fs.IntVar(&c.preserveFds, "preserve-fds", 0, "pass this many fds after stdio")
}

func (c *createFlags) opts() runtime.CreateOpts {
	o := runtime.CreateOpts{
		PidFile: c.pidFile, ConsoleSocket: c.consoleSocket, NoPivot: c.noPivot, NoNewKeyring: c.noNewKeyring,
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
	}
	for i := 0; i < c.preserveFds; i++ {
		o.ExtraFiles = append(o.ExtraFiles, os.NewFile(uintptr(3+i), "preserved"))
	}
	return o
}

func cmdCreate(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("create", flag.ContinueOnError)
	var cf createFlags
	cf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	return g.rt.Create(ctx, id, cf.bundle, cf.opts())
}

func cmdStart(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	return g.rt.Start(ctx, id)
}

// cmdRun is create + start + wait, forwarding signals to the container and
// deleting it afterwards; it exits with the container's status.
func cmdRun(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var cf createFlags
	cf.register(fs)
	var detach bool
	fs.BoolVar(&detach, "detach", false, "do not wait for the container")
	fs.BoolVar(&detach, "d", false, "do not wait for the container")
	keep := fs.Bool("keep", false, "do not delete the container after it exits")
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	var sigs <-chan os.Signal
	subscribed := func() {}
	if !detach {
		sigs, subscribed = subscribeSignals()
	}
	opts := cf.opts()
	var tty *ttyProxy
	if !detach && cf.consoleSocket == "" && wantsTerminal(cf.bundle) {
		if tty, err = newTTYProxy(); err != nil {
			return err
		}
		defer tty.Close()
		opts.ConsoleSocket = tty.socket
	}
	if err := g.rt.Create(ctx, id, cf.bundle, opts); err != nil {
		return err
	}
	finish := func() {}
	if tty != nil {
		if finish, err = tty.attach(); err != nil {
			_ = g.rt.Delete(ctx, id, true)
			return err
		}
	}
	// The pid before start: a container that has already exited has none.
	st, err := g.rt.State(ctx, id)
	if err != nil {
		return err
	}
	subscribed() // before the start: no signal is lost
	if err := g.rt.Start(ctx, id); err != nil {
		_ = g.rt.Delete(ctx, id, true)
		return err
	}
	if detach {
		return nil
	}
	slog.DebugContext(ctx, "run: started", "id", id)
	go forward(sigs, st.Pid)
	code, err := runtime.Wait(st.Pid)
	finish()
	if err != nil {
		return err
	}
	slog.DebugContext(ctx, "run: exited", "id", id, "code", code)
	if !*keep {
		if err := g.rt.Delete(ctx, id, true); err != nil {
			return err
		}
	}
	if code != 0 {
		return exitError{code}
	}
	return nil
}

func forward(sigs <-chan os.Signal, pid int) {
	for s := range sigs {
		sig, ok := s.(syscall.Signal)
		if !ok || sig == unix.SIGCHLD || sig == unix.SIGURG || sig == unix.SIGPIPE {
			continue
		}
		_ = unix.Kill(pid, sig)
	}
}

func cmdState(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("state", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	st, err := g.rt.State(ctx, id)
	if err != nil {
		return err
	}
	return printJSON(st)
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func cmdKill(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("kill", flag.ContinueOnError)
	all := fs.Bool("all", false, "signal every process of the container")
	fs.BoolVar(all, "a", false, "signal every process of the container")
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	sig := unix.SIGTERM
	if fs.NArg() > 1 {
		if sig, err = parseSignal(fs.Arg(1)); err != nil {
			return err
		}
	}
	return g.rt.Kill(ctx, id, sig, *all)
}

func parseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

func cmdDelete(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("delete", flag.ContinueOnError)
	force := fs.Bool("force", false, "kill the container first if it runs")
	fs.BoolVar(force, "f", false, "kill the container first if it runs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	return g.rt.Delete(ctx, id, *force)
}
