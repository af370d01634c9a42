package cli

import (
	"bytes"
	"context"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newContainerInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	var size bool
	cmd := &cobra.Command{
		Use:   "inspect [OPTIONS] CONTAINER [CONTAINER...]",
		Short: "Display detailed information on one or more containers",
		Long: `Print the daemon's JSON description of each container (Docker's shape), as
an array. --format applies a Go template to each container instead; -s
adds the sizes SizeRw and SizeRootFs.`,
		Example: `  berth container inspect web
  berth container inspect --format '{{.State.Status}} {{.State.ExitCode}}' job
  berth container inspect -s --format '{{.SizeRw}}' web`,
		Args:              minArgs(1),
		ValidArgsFunction: completeContainers(g, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runObjectInspect(cmd, g, "container", format, size, args)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format output using a Go template, or 'json'")
	cmd.Flags().BoolVarP(&size, "size", "s", false, "display total file sizes")
	return cmd
}

// inspectTypes are the object types the top-level inspect knows, in the
// order it tries them for a name without --type.
var inspectTypes = []string{"container", "image", "volume"}

// runObjectInspect prints containers, images or volumes (typ "" tries each
// in turn, as Docker's top-level inspect does).
func runObjectInspect(cmd *cobra.Command, g *globalOptions, typ, format string, size bool, names []string) error {
	types := inspectTypes
	if typ != "" {
		types = []string{typ}
	}
	c, err := g.connect(cmd.Context())
	if err != nil {
		return err
	}
	defer c.Close()
	printer := &inspectPrinter{w: cmd.OutOrStdout(), format: format}
	var failed error
	for _, name := range names {
		typed, raw, err := inspectOne(cmd.Context(), c, types, name, size)
		if err != nil {
			if errdefs.IsNotFound(err) && typ == "" {
				err = noSuchObject(name)
			}
			cmd.PrintErrln(errorLine(err))
			failed = statusError{code: ExitFailure}
			continue
		}
		if err := printer.add(typed, raw); err != nil {
			return err
		}
	}
	if err := printer.flush(); err != nil {
		return err
	}
	return failed
}

// inspectOne looks name up as each type in turn until one is found.
func inspectOne(ctx context.Context, c *client.Client, types []string, name string, size bool) (typed any, raw []byte, err error) {
	for _, t := range types {
		switch t {
		case "container":
			var res client.ContainerInspectResult
			if res, err = c.ContainerInspect(ctx, name, client.ContainerInspectOptions{Size: size}); err == nil {
				return res.Container, res.Raw, nil
			}
		case "image":
			var buf bytes.Buffer
			var res client.ImageInspectResult
			if res, err = c.ImageInspect(ctx, name, client.ImageInspectWithRawResponse(&buf)); err == nil {
				return res.InspectResponse, buf.Bytes(), nil
			}
		case "volume":
			var res client.VolumeInspectResult
			if res, err = c.VolumeInspect(ctx, name, client.VolumeInspectOptions{}); err == nil {
				return res.Volume, res.Raw, nil
			}
		default:
			return nil, nil, invalidf("unknown type %q: berth can inspect containers, images and volumes", t)
		}
		if !errdefs.IsNotFound(err) {
			return nil, nil, err
		}
	}
	return nil, nil, err
}

// noSuchObject is Docker's message for a name that is no object at all.
type noSuchObject string

func (n noSuchObject) Error() string { return "Error: No such object: " + string(n) }

func (noSuchObject) Unwrap() error { return errdefs.ErrNotFound }
