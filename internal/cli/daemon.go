package cli

import (
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/berthproject/berth/internal/daemon"
	"github.com/spf13/cobra"
)

func newDaemonCommand(g *globalOptions) *cobra.Command {
	var flags daemon.Config
	var configFile string
	cmd := &cobra.Command{
		Use:   "daemon [OPTIONS]",
		Short: "Run the berth daemon (serves the Docker Engine API)",
		Long: `Run the berth daemon in the foreground. It serves the Docker Engine API on
unix:///run/berth/berth.sock (root-owned, mode 0660) unless -H/--host (repeatable)
says otherwise;
TCP is used only when given explicitly (-H tcp://127.0.0.1:2375), and is not
authenticated: bind it to loopback.

Settings may also come from a JSON config file (--config-file, default
/etc/berth/daemon.json) whose keys are the flags' names ("hosts", "root",
"exec-root", "log-level", "group"); flags win over the file.

SIGTERM or SIGINT stops the daemon gracefully: it stops accepting, lets
requests in flight finish, then closes its stores.`,
		Example: `  berth daemon
  berth daemon -H unix:///tmp/berth.sock --root /tmp/berth --exec-root /tmp/berth-run
  berth daemon --log-level debug --group docker`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fileCfg, err := daemon.LoadConfigFile(configFile, cmd.Flags().Changed("config-file"))
			if err != nil {
				return err
			}
			flags.Version = Version
			if len(flags.Hosts) == 0 {
				flags.Hosts = g.hosts
			}
			cfg := fileCfg.Merge(flags)
			if cfg.LogLevel == "" {
				cfg.LogLevel = daemon.DefaultLogLevel
			}
			level, err := daemon.ParseLogLevel(cfg.LogLevel)
			if err != nil {
				return err
			}
			logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			return daemon.Run(ctx, cfg, logger)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&flags.Hosts, "host", "H", nil, "socket to listen on: unix:///path or tcp://addr:port (repeatable; default "+daemon.DefaultHost+")")
	f.StringVar(&flags.Root, "root", "", "root directory of persistent state (default "+daemon.DefaultRoot+")")
	f.StringVar(&flags.ExecRoot, "exec-root", "", "root directory of run-time state (default "+daemon.DefaultExecRoot+")")
	f.StringVarP(&flags.LogLevel, "log-level", "l", "", `log level: "debug", "info", "warn" or "error" (default "info")`)
	f.StringVar(&configFile, "config-file", daemon.DefaultConfigFile, "daemon configuration file")
	f.StringVarP(&flags.Group, "group", "G", "", "group that owns the API socket (default root)")
	f.StringVarP(&flags.Bridge, "bridge", "b", "", "bridge of the default network (default berth0)")
	f.StringVar(&flags.NftTable, "nft-table", "", "nftables table (family ip) of berth's rules (default berth)")
	f.StringArrayVar(&flags.InsecureRegistries, "insecure-registry", nil, "registry (HOST[:PORT] or CIDR) reached over HTTP or unverified TLS (repeatable)")
	f.StringArrayVar(&flags.RegistryMirrors, "registry-mirror", nil, "mirror URL tried before Docker Hub (repeatable)")
	f.StringVar(&flags.CertsDir, "certs-dir", "", "directory of per-registry CAs and client certificates, as Docker's certs.d (default /etc/berth/certs.d)")
	return cmd
}
