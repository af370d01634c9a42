package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/berthproject/berth/internal/registry"
	"github.com/distribution/reference"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

func newPullCommand(g *globalOptions) *cobra.Command {
	var all, quiet bool
	var platform string
	cmd := &cobra.Command{
		Use:   "pull [OPTIONS] NAME[:TAG|@DIGEST]",
		Short: "Download an image from a registry",
		Long: `Pull an image from a registry into berth's store. Names are Docker's:
"busybox" is docker.io/library/busybox:latest (served by registry-1.docker.io).
An image index is resolved to this host's platform, or to --platform. Every
manifest and blob is checked against its digest; layers already in the store
are not downloaded again. Credentials come from "berth login".`,
		Example: `  berth pull busybox
  berth pull --platform linux/arm64 registry.example.com/team/app:1.2
  berth pull busybox@sha256:<digest>
  berth pull -a localhost:5000/tools`,
		Args: exactArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			if err := registryPull(cmd.Context(), c, args[0], pullOptions{all: all, platform: platform, quiet: quiet}, cmd.OutOrStdout()); err != nil {
				return err
			}
			if quiet {
				fmt.Fprintln(cmd.OutOrStdout(), fullName(args[0], all))
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.BoolVarP(&all, "all-tags", "a", false, "download all tagged images in the repository")
	f.BoolVarP(&quiet, "quiet", "q", false, "suppress verbose output")
	f.StringVar(&platform, "platform", "", "set platform if server is multi-platform capable (os[/arch[/variant]])")
	return cmd
}

func newPushCommand(g *globalOptions) *cobra.Command {
	var all, quiet bool
	cmd := &cobra.Command{
		Use:   "push [OPTIONS] NAME[:TAG]",
		Short: "Upload an image to a registry",
		Long: `Push an image (or with -a every tag of a repository) to its registry. Blobs
the registry already has are skipped, blobs in another repository of the same
registry are mounted, and the manifest goes last. A pulled multi-arch image
keeps its index when the registry has (or can mount) its other platforms.`,
		Example: `  berth tag busybox localhost:5000/busybox:1
  berth push localhost:5000/busybox:1
  berth push -a localhost:5000/busybox`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			auth, err := authForImage(args[0])
			if err != nil {
				return err
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			body, err := c.ImagePush(cmd.Context(), args[0], client.ImagePushOptions{All: all, RegistryAuth: auth})
			if err != nil {
				return err
			}
			defer body.Close()
			if err := showProgress(body, cmd.OutOrStdout(), quiet); err != nil {
				return err
			}
			if quiet {
				fmt.Fprintln(cmd.OutOrStdout(), fullName(args[0], all))
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all-tags", "a", false, "push all tags of an image to the repository")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "suppress verbose output")
	return cmd
}

// pullOptions are pull's options as registryPull takes them.
type pullOptions struct {
	all      bool
	platform string // os[/arch[/variant]], "" for the daemon's
	quiet    bool
}

// registryPull pulls name through the daemon with the stored credentials of
// its registry, showing progress on out. "run" and "create" call it for
// --pull missing (after the daemon said the image is not found; Docker
// first prints "Unable to find image 'NAME' locally" on stderr and shows
// the progress on stderr) and --pull always.
func registryPull(ctx context.Context, c *client.Client, name string, o pullOptions, out io.Writer) error {
	opts := client.ImagePullOptions{All: o.all}
	if o.platform != "" {
		p, err := registry.ParsePlatform(o.platform)
		if err != nil {
			return err
		}
		opts.Platforms = []ocispec.Platform{p}
	}
	auth, err := authForImage(name)
	if err != nil {
		return err
	}
	opts.RegistryAuth = auth
	body, err := c.ImagePull(ctx, name, opts)
	if err != nil {
		return err
	}
	defer body.Close()
	return showProgress(body, out, o.quiet)
}

// showProgress renders a progress stream: per-layer bars on a terminal,
// plain lines otherwise, nothing but the error when quiet.
func showProgress(body io.Reader, out io.Writer, quiet bool) error {
	if quiet {
		out = io.Discard
	}
	var fd uintptr
	term := false
	if f, ok := out.(*os.File); ok && isTerminal(f) {
		fd, term = f.Fd(), true
	}
	return jsonmessage.DisplayJSONMessagesStream(body, out, fd, term, nil)
}

// fullName is what pull -q and push -q print: the fully qualified name.
func fullName(name string, all bool) string {
	n, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return name
	}
	if !all {
		n = reference.TagNameOnly(n)
	}
	return n.String()
}
