package cli

import (
	"context"
	"fmt"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

type execOptions struct {
	interactive, tty, detach, privileged bool
	env, envFiles                        []string
	user, workdir, detachKeys            string
}

func newExecCommand(g *globalOptions) *cobra.Command {
	var o execOptions
	cmd := &cobra.Command{
		Use:   "exec [OPTIONS] CONTAINER COMMAND [ARG...]",
		Short: "Execute a command in a running container",
		Long: `Run a new process in a running container, with the container's
environment, user and working directory unless -e, -u or -w say otherwise.
berth exits with the process's exit code (126 if it cannot be executed,
127 if it is not found). -d runs it in the background.`,
		Example: `  berth exec web ls /
  berth exec -it web sh
  berth exec -u 1000 -w /tmp -e A=1 web env
  berth exec -d web touch /tmp/flag`,
		Args:              minArgs(2),
		ValidArgsFunction: completeContainers(g, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExec(cmd, g, o, args[0], args[1:])
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false)
	f.BoolVarP(&o.interactive, "interactive", "i", false, "keep STDIN open even if not attached")
	f.BoolVarP(&o.tty, "tty", "t", false, "allocate a pseudo-TTY")
	f.BoolVarP(&o.detach, "detach", "d", false, "detached mode: run command in the background")
	f.BoolVar(&o.privileged, "privileged", false, "give extended privileges to the command")
	f.StringArrayVarP(&o.env, "env", "e", nil, "set environment variables")
	f.StringArrayVar(&o.envFiles, "env-file", nil, "read in a file of environment variables")
	f.StringVarP(&o.user, "user", "u", "", "username or UID (format: <name|uid>[:<group|gid>])")
	f.StringVarP(&o.workdir, "workdir", "w", "", "working directory inside the container")
	f.StringVar(&o.detachKeys, "detach-keys", "", "override the key sequence for detaching a container")
	return cmd
}

func runExec(cmd *cobra.Command, g *globalOptions, o execOptions, name string, argv []string) error {
	ctx := cmd.Context()
	if !o.detach && o.tty && o.interactive {
		if err := checkTTY(cmd.InOrStdin()); err != nil {
			return err
		}
	}
	env, err := readEnv(o.envFiles, o.env)
	if err != nil {
		return inputUsageError(cmd, err)
	}
	c, err := g.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	opts := client.ExecCreateOptions{
		User: o.user, Privileged: o.privileged, TTY: o.tty, Env: env, WorkingDir: o.workdir, Cmd: argv,
		DetachKeys: o.detachKeys, AttachStdin: o.interactive && !o.detach, AttachStdout: !o.detach, AttachStderr: !o.detach,
	}
	var size client.ConsoleSize
	if o.tty {
		if h, w, ok := terminalSize(cmd.OutOrStdout()); ok {
			size = client.ConsoleSize{Height: h, Width: w}
			opts.ConsoleSize = size
		}
	}
	created, err := c.ExecCreate(ctx, name, opts)
	if err != nil {
		return err
	}
	if o.detach {
		_, err := c.ExecStart(ctx, created.ID, client.ExecStartOptions{Detach: true, TTY: o.tty, ConsoleSize: size})
		return startError(err)
	}
	resp, err := c.ExecAttach(ctx, created.ID, client.ExecAttachOptions{TTY: o.tty, ConsoleSize: size})
	if err != nil {
		return startError(err)
	}
	keys := o.detachKeys
	if keys == "" && o.tty {
		keys = defaultDetachKeys
	}
	s := stdio{out: cmd.OutOrStdout(), err: cmd.ErrOrStderr(), tty: o.tty, detachKeys: keys}
	if o.interactive {
		s.in = cmd.InOrStdin()
		if o.tty {
			defer rawTerminal(s.in)()
		}
	}
	if o.tty {
		defer followResize(ctx, s.out, func(ctx context.Context, h, w uint) error {
			_, err := c.ExecResize(ctx, created.ID, client.ExecResizeOptions{Height: h, Width: w})
			return err
		})()
	}
	if err := pump(ctx, resp.HijackedResponse, s); err != nil {
		if err == errDetached {
			return nil
		}
		return fmt.Errorf("stream exec output: %w", err)
	}
	ins, err := c.ExecInspect(ctx, created.ID, client.ExecInspectOptions{})
	if err != nil {
		return err
	}
	if ins.ExitCode != 0 {
		return statusError{code: ins.ExitCode}
	}
	return nil
}
