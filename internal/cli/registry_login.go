package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/berthproject/berth/internal/registry"
	"github.com/docker/cli/cli/config/types"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

type loginOptions struct {
	username, password string
	passwordStdin      bool
}

func newLoginCommand(g *globalOptions) *cobra.Command {
	var o loginOptions
	cmd := &cobra.Command{
		Use:   "login [OPTIONS] [SERVER]",
		Short: "Authenticate to a registry",
		Long: `Log in to a registry (Docker Hub when SERVER is omitted). The daemon checks
the credentials with the registry (basic or token authentication); the CLI
then stores them as Docker does, in $DOCKER_CONFIG/config.json or
~/.docker/config.json, or in the credential helper that file names
(credsStore, credHelpers).`,
		Example: `  berth login -u me registry.example.com
  echo "$TOKEN" | berth login -u me --password-stdin localhost:5000`,
		Args: rangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			server := ""
			if len(args) == 1 {
				server = args[0]
			}
			return runLogin(cmd, g, server, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.username, "username", "u", "", "username")
	f.StringVarP(&o.password, "password", "p", "", "password or personal access token")
	f.BoolVar(&o.passwordStdin, "password-stdin", false, "take the password or token from stdin")
	return cmd
}

func runLogin(cmd *cobra.Command, g *globalOptions, server string, o loginOptions) error {
	host, err := registry.ServerHost(server)
	if err != nil {
		return err
	}
	key := authKey(host)
	if o.password != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
		if o.passwordStdin {
			return newUsageError(cmd, "--password and --password-stdin are mutually exclusive")
		}
	}
	if o.passwordStdin {
		if o.username == "" {
			return newUsageError(cmd, "Must provide --username with --password-stdin")
		}
		b, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return err
		}
		o.password = strings.TrimRight(string(b), "\r\n")
	}
	cf, err := loadConfigFile()
	if err != nil {
		return err
	}
	if o.username == "" || o.password == "" {
		if err := promptCredentials(cmd, &o, cf.AuthConfigs[key].Username); err != nil {
			return err
		}
	}
	c, err := g.connect(cmd.Context())
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := c.RegistryLogin(cmd.Context(), client.RegistryLoginOptions{Username: o.username, Password: o.password, ServerAddress: key})
	if err != nil {
		return err
	}
	ac := types.AuthConfig{Username: o.username, Password: o.password, ServerAddress: key}
	if res.Auth.IdentityToken != "" {
		ac.Password, ac.IdentityToken = "", res.Auth.IdentityToken
	}
	if err := cf.GetCredentialsStore(key).Store(ac); err != nil {
		return fmt.Errorf("error saving credentials: %w", err)
	}
	if err := cf.Save(); err != nil {
		return fmt.Errorf("error saving credentials: %w", err)
	}
	status := res.Auth.Status
	if status == "" {
		status = "Login Succeeded"
	}
	fmt.Fprintln(cmd.OutOrStdout(), status)
	return nil
}

// promptCredentials asks for what the flags did not give, on a terminal.
func promptCredentials(cmd *cobra.Command, o *loginOptions, stored string) error {
	in, ok := cmd.InOrStdin().(*os.File)
	if !ok || !isTerminal(in) {
		return fmt.Errorf("cannot perform an interactive login from a non TTY device: use -u and --password-stdin")
	}
	r := bufio.NewReader(in)
	out := cmd.OutOrStdout()
	if o.username == "" {
		if stored != "" {
			fmt.Fprintf(out, "Username (%s): ", stored)
		} else {
			fmt.Fprint(out, "Username: ")
		}
		line, _ := r.ReadString('\n')
		o.username = strings.TrimSpace(line)
		if o.username == "" {
			o.username = stored
		}
		if o.username == "" {
			return fmt.Errorf("username is required")
		}
	}
	if o.password == "" {
		fmt.Fprint(out, "Password: ")
		pw, err := readNoEcho(in, r)
		fmt.Fprintln(out)
		if err != nil {
			return err
		}
		if o.password = pw; pw == "" {
			return fmt.Errorf("password is required")
		}
	}
	return nil
}

// readNoEcho reads a line with the terminal's echo off.
func readNoEcho(f *os.File, r *bufio.Reader) (string, error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", err
	}
	noEcho := *old
	noEcho.Lflag &^= unix.ECHO
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &noEcho); err != nil {
		return "", err
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	line, err := r.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func newLogoutCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "logout [SERVER]",
		Short:   "Log out from a registry",
		Long:    `Remove the stored credentials of a registry (Docker Hub when SERVER is omitted).`,
		Example: `  berth logout localhost:5000`,
		Args:    rangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			server := ""
			if len(args) == 1 {
				server = args[0]
			}
			host, err := registry.ServerHost(server)
			if err != nil {
				return err
			}
			key := authKey(host)
			cf, err := loadConfigFile()
			if err != nil {
				return err
			}
			stored, _ := cf.GetAuthConfig(key)
			if _, ok := cf.AuthConfigs[key]; !ok && stored.Username == "" {
				fmt.Fprintf(cmd.OutOrStdout(), "Not logged in to %s\n", key)
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Removing login credentials for %s\n", key)
			if err := cf.GetCredentialsStore(key).Erase(key); err != nil {
				return fmt.Errorf("could not erase credentials for %s: %w", key, err)
			}
			return nil
		},
	}
}
