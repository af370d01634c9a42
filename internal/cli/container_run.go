package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

// Docker's exit codes for a container that could not run its command.
const (
	ExitCannotExecute = 126
	ExitNotFound      = 127
)

func newRunCommand(g *globalOptions) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create and run a new container from an image",
		Long: `Create a container from IMAGE and start it. Without -d, berth attaches to
the container's output (and with -i its input), waits for it to exit and
exits with its code; with -d it prints the new container's ID and returns.

Exit codes, as Docker's: 125 when berth itself fails (bad flags, unknown
image, daemon error), 126 when the command cannot be executed, 127 when it
is not found, otherwise the container's own exit code.

With -t the client's terminal is put in raw mode and its size follows the
window; ctrl-p ctrl-q (--detach-keys) detaches and leaves the container
running. Without -t, signals the CLI receives are forwarded to the
container (--sig-proxy, default true).`,
		Example: `  berth run --rm busybox echo hello
  berth run -it busybox sh
  berth run -d --name web -p 8080:80 busybox httpd -f -p 80
  berth run --rm -e A=1 --env-file ./env -w /tmp -u 1000:1000 busybox env
  berth run --rm --memory 64m --cpus 0.5 --pids-limit 100 busybox true
  berth run --rm -v data:/data --mount type=bind,src=/etc,dst=/host-etc,ro busybox ls /data
  berth run -d --restart on-failure:3 --health-cmd 'test -f /tmp/ok' busybox sleep 1000`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, g, o, args[0], args[1:])
		},
		ValidArgsFunction: noCompletion,
	}
	f := cmd.Flags()
	addRunFlags(f, o)
	f.BoolVarP(&o.detach, "detach", "d", false, "run the container in the background and print its ID")
	f.BoolVar(&o.sigProxy, "sig-proxy", true, "proxy received signals to the process")
	f.StringVar(&o.detachKeys, "detach-keys", "", "override the key sequence for detaching a container")
	return cmd
}

func newCreateCommand(g *globalOptions) *cobra.Command {
	// As docker create: the config says stdout and stderr are attached
	// (start -a uses them), though create itself attaches nothing.
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] IMAGE [COMMAND] [ARG...]",
		Short: "Create a new container",
		Long: `Create a container from IMAGE without starting it, and print its ID.
It takes the same options as "berth run"; start it with "berth start".`,
		Example: `  berth create --name job busybox echo done
  berth start -a job`,
		Args: minArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			id, err := createContainer(cmd, c, o, args[0], args[1:])
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		}),
	}
	addRunFlags(cmd.Flags(), o)
	return cmd
}

// createContainer creates the container, pulling its image first as
// --pull asks, and prints the daemon's warnings.
func createContainer(cmd *cobra.Command, c *client.Client, o *runOptions, image string, args []string) (string, error) {
	ctx := cmd.Context()
	opts, err := o.toCreateOptions(image, args)
	if err != nil {
		return "", inputUsageError(cmd, err)
	}
	if o.tty {
		if h, w, ok := terminalSize(cmd.OutOrStdout()); ok {
			opts.HostConfig.ConsoleSize = [2]uint{h, w}
		}
	}
	switch o.pull {
	case "missing", "never":
	case "always":
		if err := pullImage(ctx, cmd.ErrOrStderr(), c, image); err != nil {
			return "", err
		}
	default:
		return "", newUsageError(cmd, "invalid --pull %q: want always, missing or never", o.pull)
	}
	res, err := c.ContainerCreate(ctx, opts)
	if err != nil && errdefs.IsNotFound(err) && o.pull == "missing" && imageMissing(ctx, c, image) {
		fmt.Fprintf(cmd.ErrOrStderr(), "Unable to find image '%s' locally\n", image)
		if perr := pullImage(ctx, cmd.ErrOrStderr(), c, image); perr != nil {
			return "", perr
		}
		res, err = c.ContainerCreate(ctx, opts)
	}
	if err != nil {
		return "", err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), "WARNING:", w)
	}
	return res.ID, nil
}

// imageMissing tells whether a create failed for want of its image (and
// not, say, of a network or volume).
func imageMissing(ctx context.Context, c *client.Client, image string) bool {
	_, err := c.ImageInspect(ctx, image)
	return errdefs.IsNotFound(err)
}

// pullImage pulls ref through the daemon with the stored credentials of
// its registry (the registry area's registryPull), showing the progress
// on w (stderr, as Docker's run does).
func pullImage(ctx context.Context, w io.Writer, c *client.Client, ref string) error {
	return registryPull(ctx, c, ref, pullOptions{}, w)
}

func runRun(cmd *cobra.Command, g *globalOptions, o *runOptions, image string, args []string) error {
	ctx := cmd.Context()
	if !o.detach && o.tty && o.interactive {
		if err := checkTTY(cmd.InOrStdin()); err != nil {
			return err
		}
	}
	c, err := g.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	id, err := createContainer(cmd, c, o, image, args)
	if err != nil {
		return err
	}
	if o.detach {
		if _, err := c.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
			removeAfterFailedStart(ctx, c, id, o.rm)
			return startError(err)
		}
		fmt.Fprintln(cmd.OutOrStdout(), id)
		return nil
	}
	return attachStartWait(cmd, c, id, attachSpec{
		stdin: o.interactive, tty: o.tty, sigProxy: o.sigProxy && !o.tty, detachKeys: o.detachKeys, autoRemove: o.rm,
	})
}

// attachSpec says how run and start -a attach to a container.
type attachSpec struct {
	stdin, tty, sigProxy, autoRemove bool
	detachKeys                       string
}

// attachStartWait attaches to the container before starting it, so that
// no output is lost, streams until it ends, and returns the container's
// exit code as a statusError.
func attachStartWait(cmd *cobra.Command, c *client.Client, id string, a attachSpec) error {
	ctx := cmd.Context()
	keys := a.detachKeys
	if keys == "" && a.tty {
		keys = defaultDetachKeys
	}
	resp, err := c.ContainerAttach(ctx, id, client.ContainerAttachOptions{
		Stream: true, Stdin: a.stdin, Stdout: true, Stderr: true, DetachKeys: a.detachKeys})
	if err != nil {
		return fmt.Errorf("attach to container %s: %w", shortContainerID(id), err)
	}
	// Wait before start, so that a short-lived container's exit (or its
	// removal with --rm) is not missed.
	cond := container.WaitConditionNextExit
	if a.autoRemove {
		cond = container.WaitConditionRemoved
	}
	waitCtx, cancelWait := context.WithCancel(ctx)
	defer cancelWait()
	wait := c.ContainerWait(waitCtx, id, client.ContainerWaitOptions{Condition: cond})

	s := stdio{out: cmd.OutOrStdout(), err: cmd.ErrOrStderr(), tty: a.tty, detachKeys: keys}
	if a.stdin {
		s.in = cmd.InOrStdin()
	}
	if a.tty && a.stdin {
		defer rawTerminal(s.in)()
	}
	streamDone := make(chan error, 1)
	go func() { streamDone <- pump(ctx, resp.HijackedResponse, s) }()

	if _, err := c.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		resp.Close()
		removeAfterFailedStart(ctx, c, id, a.autoRemove)
		return startError(err)
	}
	if a.tty {
		defer followResize(ctx, s.out, func(ctx context.Context, h, w uint) error {
			_, err := c.ContainerResize(ctx, id, client.ContainerResizeOptions{Height: h, Width: w})
			return err
		})()
	}
	if a.sigProxy {
		defer proxySignals(ctx, c, id)()
	}
	if err := <-streamDone; err != nil {
		if err == errDetached {
			return nil
		}
		return fmt.Errorf("stream container output: %w", err)
	}
	select {
	case res := <-wait.Result:
		if res.Error != nil && res.Error.Message != "" {
			return statusError{code: ExitFailure, msg: "Error: " + res.Error.Message}
		}
		if res.StatusCode != 0 {
			return statusError{code: int(res.StatusCode)}
		}
		return nil
	case err := <-wait.Error:
		return fmt.Errorf("wait for container %s: %w", shortContainerID(id), err)
	}
}

// removeAfterFailedStart removes a --rm container whose start failed, so
// that a command that cannot run leaves nothing behind, as with Docker
// (whose daemon may already have removed it: that error is ignored).
func removeAfterFailedStart(ctx context.Context, c *client.Client, id string, autoRemove bool) {
	if autoRemove {
		_, _ = c.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	}
}

// startError gives a failed start Docker's exit code: 127 when the
// command was not found, 126 when it could not be executed, else 125.
// The API carries no code for these: like the docker CLI, berth reads the
// daemon's message, which is the wire contract Docker clients rely on.
func startError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	code := ExitFailure
	switch {
	case strings.Contains(msg, "executable file not found"), strings.Contains(msg, "no such file or directory"):
		code = ExitNotFound
	case strings.Contains(msg, "permission denied"):
		code = ExitCannotExecute
	}
	return statusError{code: code, msg: errorLine(err)}
}

// checkTTY refuses -it when stdin is not a terminal, as Docker does (exit
// 1): raw mode and the detach keys mean nothing on a pipe.
func checkTTY(in io.Reader) error {
	if !isTerminal(in) {
		return statusError{code: 1, msg: "the input device is not a TTY"}
	}
	return nil
}

// shortContainerID is Docker's 12-character container ID.
func shortContainerID(id string) string {
	return id[:min(12, len(id))]
}
