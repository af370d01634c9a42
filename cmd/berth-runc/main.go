// Command berth-runc is berth's OCI runtime with runc's command line, so
// that podman, containerd and friends can use it as their --runtime.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/berthproject/berth/internal/runtime"
)

const version = "0.1.0"

type globals struct {
	root, log, logFormat string
	debug                bool
	rt                   *runtime.Runtime
}

// exitError carries a specific exit status (a container's, or 127).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

var commands = map[string]func(ctx context.Context, g *globals, args []string) error{
	"create":   cmdCreate,
	"start":    cmdStart,
	"run":      cmdRun,
	"state":    cmdState,
	"kill":     cmdKill,
	"delete":   cmdDelete,
	"exec":     cmdExec,
	"ps":       cmdPs,
	"list":     cmdList,
	"pause":    cmdPause,
	"resume":   cmdResume,
	"update":   cmdUpdate,
	"features": cmdFeatures,
	"spec":     cmdSpec,
	"events":   cmdEvents,
}

func main() {
	runtime.Init() // the container init mode; returns at once otherwise
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	g := &globals{}
	fs := flag.NewFlagSet("berth-runc", flag.ContinueOnError)
	fs.StringVar(&g.root, "root", runtime.DefaultRoot, "state directory")
	fs.StringVar(&g.log, "log", "", "log file (default stderr)")
	fs.StringVar(&g.logFormat, "log-format", "text", "log format: text or json")
	fs.BoolVar(&g.debug, "debug", false, "debug logging")
	showVersion := fs.Bool("version", false, "print the version")
	fs.Bool("systemd-cgroup", false, "accepted for compatibility; cgroupfs is always used")
	fs.String("criu", "", "accepted for compatibility")
	fs.String("rootless", "auto", "accepted for compatibility")
	fs.Usage = usage(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVersion || fs.Arg(0) == "version" {
		fmt.Printf("berth-runc version %s\nspec: %s\n", version, "1.3.0")
		return 0
	}
	if err := setupLog(g); err != nil {
		fmt.Fprintln(os.Stderr, "berth-runc:", err)
		return 1
	}
	cmd, ok := commands[fs.Arg(0)]
	if !ok {
		fs.Usage()
		return 2
	}
	g.rt = runtime.New(g.root)
	ctx := context.Background()
	if fs.Arg(0) != "run" && fs.Arg(0) != "exec" { // these forward signals to the container
		var cancel context.CancelFunc
		ctx, cancel = signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
		defer cancel()
	}
	err := cmd(ctx, g, fs.Args()[1:])
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	// One plain line on stderr (engines show it to their users), and the
	// structured record in --log when there is one.
	if g.log != "" {
		slog.Error(err.Error())
	}
	fmt.Fprintln(os.Stderr, "berth-runc:", err)
	if errors.Is(err, runtime.ErrProcessNotFound) {
		return 127
	}
	if errors.Is(err, runtime.ErrProcessNotExecutable) {
		return 126
	}
	return 1
}

func setupLog(g *globals) error {
	var w io.Writer = os.Stderr
	if g.log != "" {
		f, err := os.OpenFile(g.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_SYNC, 0o644)
		if err != nil {
			return fmt.Errorf("open log %s: %w", g.log, err)
		}
		w = f
	}
	opts := &slog.HandlerOptions{Level: slog.LevelWarn}
	if g.debug {
		opts.Level = slog.LevelDebug
	}
	// runc's JSON log lines use lowercase levels; engines parse them.
	opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.LevelKey && g.logFormat == "json" {
			a.Value = slog.StringValue(lower(a.Value.String()))
		}
		// Full precision, as runc's: the debug log times the phases
		// of a container start, which take fractions of a millisecond.
		if a.Key == slog.TimeKey && len(groups) == 0 {
			a.Value = slog.StringValue(a.Value.Time().UTC().Format(time.RFC3339Nano))
		}
		return a
	}
	var h slog.Handler
	switch g.logFormat {
	case "json":
		h = slog.NewJSONHandler(w, opts)
	case "text", "":
		h = slog.NewTextHandler(w, opts)
	default:
		return fmt.Errorf("--log-format %q: want text or json", g.logFormat)
	}
	slog.SetDefault(slog.New(h))
	return nil
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func usage(fs *flag.FlagSet) func() {
	return func() {
		fmt.Fprintf(fs.Output(), `usage: berth-runc [global options] COMMAND [options] [ID] [args]

commands: create start run state kill delete exec ps list pause resume update events features spec
global options:
`)
		fs.PrintDefaults()
	}
}

// oneID checks that exactly one container id was given.
func oneID(fs *flag.FlagSet) (string, error) {
	if fs.NArg() < 1 {
		return "", fmt.Errorf("%s: a container id is required", fs.Name())
	}
	return fs.Arg(0), nil
}
