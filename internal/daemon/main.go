package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/berthproject/berth/internal/version"
	"github.com/spf13/pflag"
)

// ExitFailure is the daemon's status when it cannot start, berth's own
// failure code (as the CLI's).
const ExitFailure = 125

const usageText = `Usage:  berthd [OPTIONS]
        berth daemon [OPTIONS]

Run the berth daemon in the foreground. It serves the Docker Engine API on
unix:///run/berth/berth.sock (root-owned, mode 0660) unless -H/--host
(repeatable) says otherwise; TCP is used only when given explicitly
(-H tcp://127.0.0.1:2375), and is not authenticated: bind it to loopback.

Settings may also come from a JSON config file (--config-file, default
/etc/berth/daemon.json) whose keys are the flags' names ("hosts", "root",
"exec-root", "log-level", "group", "bridge", "nft-table",
"insecure-registries", "registry-mirrors", "certs-dir"); flags win over
the file.

SIGTERM or SIGINT stops the daemon gracefully: it stops accepting, lets
requests in flight finish, then closes its stores.

Examples:
  berth daemon
  berth daemon -H unix:///tmp/berth.sock --root /tmp/berth --exec-root /tmp/berth-run
  berth daemon --log-level debug --group docker

Options:
`

// Main is the daemon's command line (berthd, or `berth daemon`, which
// executes berthd): it parses args, merges the config file, and runs the
// daemon until SIGTERM or SIGINT. It returns the process exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	var flags Config
	var configFile string
	fs := pflag.NewFlagSet("berthd", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.StringArrayVarP(&flags.Hosts, "host", "H", nil, "socket to listen on: unix:///path or tcp://addr:port (repeatable; default "+DefaultHost+")")
	fs.StringVar(&flags.Root, "root", "", "root directory of persistent state (default "+DefaultRoot+")")
	fs.StringVar(&flags.ExecRoot, "exec-root", "", "root directory of run-time state (default "+DefaultExecRoot+")")
	fs.StringVarP(&flags.LogLevel, "log-level", "l", "", `log level: "debug", "info", "warn" or "error" (default "info")`)
	fs.StringVar(&configFile, "config-file", DefaultConfigFile, "daemon configuration file")
	fs.StringVarP(&flags.Group, "group", "G", "", "group that owns the API socket (default root)")
	fs.StringVarP(&flags.Bridge, "bridge", "b", "", "bridge of the default network (default berth0)")
	fs.StringVar(&flags.NftTable, "nft-table", "", "nftables table (family ip) of berth's rules (default berth)")
	fs.StringArrayVar(&flags.InsecureRegistries, "insecure-registry", nil, "registry (HOST[:PORT] or CIDR) reached over HTTP or unverified TLS (repeatable)")
	fs.StringArrayVar(&flags.RegistryMirrors, "registry-mirror", nil, "mirror URL tried before Docker Hub (repeatable)")
	fs.StringVar(&flags.CertsDir, "certs-dir", "", "directory of per-registry CAs and client certificates, as Docker's certs.d (default /etc/berth/certs.d)")
	showVersion := fs.BoolP("version", "v", false, "print the version and exit")
	fs.Usage = func() { fmt.Fprint(stdout, usageText+fs.FlagUsages()) }

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "berth daemon: %v\nSee 'berth daemon --help'.\n", err)
		return ExitFailure
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "berth daemon: unexpected argument %q\nSee 'berth daemon --help'.\n", fs.Arg(0))
		return ExitFailure
	}
	if *showVersion {
		fmt.Fprintf(stdout, "berth daemon version %s\n", version.Version)
		return 0
	}
	if err := run(configFile, fs.Changed("config-file"), flags, stderr); err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return ExitFailure
	}
	return 0
}

func run(configFile string, required bool, flags Config, logOut io.Writer) error {
	fileCfg, err := LoadConfigFile(configFile, required)
	if err != nil {
		return err
	}
	flags.Version = version.Version
	cfg := fileCfg.Merge(flags)
	if cfg.LogLevel == "" {
		cfg.LogLevel = DefaultLogLevel
	}
	level, err := ParseLogLevel(cfg.LogLevel)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return Run(ctx, cfg, logger)
}
