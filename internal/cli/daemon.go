package cli

import (
	"fmt"
	"os"
	"syscall"

	"github.com/berthproject/berth/internal/binpath"
	"github.com/containerd/errdefs"
	"github.com/spf13/cobra"
)

// daemonBinary is the daemon's own binary, which `berth daemon` executes.
const daemonBinary = "berthd"

func newDaemonCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "daemon [OPTIONS]",
		Short: "Run the berth daemon (serves the Docker Engine API)",
		Long: `Run the berth daemon in the foreground: berth executes berthd, the daemon's
own binary (beside berth, else on $PATH), with the same arguments, so the
resident daemon carries none of the CLI's code. "berth daemon --help" lists
the daemon's flags (-H/--host, --root, --exec-root, --log-level,
--config-file, --group, ...).`,
		Example: `  berth daemon
  berth daemon -H unix:///tmp/berth.sock --root /tmp/berth --exec-root /tmp/berth-run
  berth daemon --log-level debug --group docker`,
		// berthd parses the flags, --help included.
		DisableFlagParsing: true,
		RunE: func(_ *cobra.Command, args []string) error {
			bin, err := findDaemonBinary()
			if err != nil {
				return err
			}
			// -H given before "daemon" (berth -H unix:///x.sock daemon)
			// names the sockets to listen on.
			argv := []string{daemonBinary}
			for _, h := range g.hosts {
				argv = append(argv, "--host", h)
			}
			argv = append(argv, args...)
			// exec, not a child: the daemon keeps this process's pid, so
			// whoever started `berth daemon` signals and waits on the daemon.
			return syscall.Exec(bin, argv, os.Environ())
		},
	}
}

// findDaemonBinary finds berthd beside the running berth, else on $PATH.
func findDaemonBinary() (string, error) {
	p, err := binpath.Find(daemonBinary)
	if err != nil {
		return "", fmt.Errorf("%s, the daemon's binary, is neither beside berth nor on $PATH (make install puts both in /usr/local/bin): %w", daemonBinary, errdefs.ErrNotFound)
	}
	return p, nil
}
