package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/berthproject/berth/internal/errtext"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

const defaultHost = "unix:///run/berth/berth.sock"

// hostFor picks the daemon address: -H, then $BERTH_HOST, then the default.
func (g *globalOptions) hostFor() string {
	if n := len(g.hosts); n > 0 {
		return g.hosts[n-1]
	}
	if h := os.Getenv("BERTH_HOST"); h != "" {
		return h
	}
	return defaultHost
}

// connect returns an API client for the daemon, having checked that one
// answers, so that a missing daemon gives one clear line and not a
// transport error from the middle of a command.
func (g *globalOptions) connect(ctx context.Context) (*client.Client, error) {
	host := g.hostFor()
	c, err := client.New(client.WithHost(host), client.WithUserAgent("berth-cli/"+Version))
	if err != nil {
		return nil, fmt.Errorf("invalid daemon host %q: %w", host, err)
	}
	if _, err := c.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		c.Close()
		if client.IsErrConnectionFailed(err) {
			return nil, noDaemonError(host)
		}
		return nil, err
	}
	return c, nil
}

func noDaemonError(host string) error {
	return statusError{code: ExitFailure, msg: fmt.Sprintf(
		"berth: cannot connect to the berth daemon at %s: is it running? Start it with: berth daemon", host)}
}

// errorLine renders err as the one line the CLI prints.
func errorLine(err error) string {
	if client.IsErrConnectionFailed(err) {
		return noDaemonError("the daemon").Error()
	}
	msg := errtext.Plain(err)
	var u usageError
	if errors.As(err, &u) {
		return "berth: " + msg
	}
	if strings.HasPrefix(msg, "Error") {
		return msg
	}
	return "Error: " + msg
}

// withClient makes a command's RunE that connects to the daemon, runs fn
// with the client and closes the connection.
func (g *globalOptions) withClient(fn func(cmd *cobra.Command, c *client.Client, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		c, err := g.connect(cmd.Context())
		if err != nil {
			return err
		}
		defer c.Close()
		return fn(cmd, c, args)
	}
}
