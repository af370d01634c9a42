package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

// addBuildCommands adds `build`, `image build` and `builder prune`.
func addBuildCommands(root *cobra.Command, g *globalOptions) {
	root.AddCommand(newBuildCommand(g))
	for _, c := range root.Commands() {
		if c.Name() == "image" {
			c.AddCommand(newBuildCommand(g))
		}
	}
	builder := &cobra.Command{
		Use:   "builder",
		Short: "Manage builds",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	builder.AddCommand(newBuildCommand(g), newBuilderPruneCommand(g))
	root.AddCommand(builder)
}

type buildFlags struct {
	tags, buildArgs, labels, cacheFrom []string
	file, target, iidfile, network     string
	platform                           string
	noCache, pull, quiet               bool
}

func newBuildCommand(g *globalOptions) *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "build [OPTIONS] PATH | - | TAR",
		Short: "Build an image from a Dockerfile",
		Long: `Build an image from a Dockerfile and a context: a directory (files that
.dockerignore excludes are not sent), a tar archive (plain, gzip or zstd),
or "-": a tar, or a bare Dockerfile with no context, on standard input.
-f names the Dockerfile (inside the context, anywhere else, or "-" for
standard input). Steps whose parent, instruction, build args and (for
COPY/ADD) source files are unchanged are taken from the build cache.`,
		Example: `  berth build -t app:v1 .
  berth build -f docker/Dockerfile.prod --build-arg VERSION=1.2 -t app .
  berth build --target builder --no-cache .
  berth build - < Dockerfile
  tar -c . | berth build -t app -`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runBuild(cmd, g, f, args[0]) },
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.tags, "tag", "t", nil, `name and optionally a tag in the "name:tag" format`)
	fl.StringVarP(&f.file, "file", "f", "", `name of the Dockerfile (default "PATH/Dockerfile")`)
	fl.StringArrayVar(&f.buildArgs, "build-arg", nil, "set build-time variables")
	fl.StringVar(&f.target, "target", "", "set the target build stage to build")
	fl.BoolVar(&f.noCache, "no-cache", false, "do not use cache when building the image")
	fl.BoolVar(&f.pull, "pull", false, "always attempt to pull a newer version of the image")
	fl.StringArrayVar(&f.labels, "label", nil, "set metadata for an image")
	fl.StringVar(&f.iidfile, "iidfile", "", "write the image ID to the file")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "suppress the build output and print image ID on success")
	fl.StringVar(&f.network, "network", "default", "networking mode for the RUN instructions during build (none, host)")
	fl.StringVar(&f.platform, "platform", "", "set platform if server is multi-platform capable")
	fl.StringArrayVar(&f.cacheFrom, "cache-from", nil, "images to consider as cache sources")
	fl.Bool("rm", true, "remove intermediate containers after a successful build (always)")
	fl.Bool("force-rm", false, "always remove intermediate containers (always)")
	return cmd
}

func runBuild(cmd *cobra.Command, g *globalOptions, f buildFlags, path string) error {
	opts := client.ImageBuildOptions{
		Tags: f.tags, Dockerfile: f.file, Target: f.target, NoCache: f.noCache, PullParent: f.pull,
		SuppressOutput: f.quiet, NetworkMode: f.network, CacheFrom: f.cacheFrom, Remove: true,
		BuildArgs: map[string]*string{}, Labels: map[string]string{},
	}
	for _, a := range f.buildArgs {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			// Docker takes a bare --build-arg NAME from the environment.
			ev, set := os.LookupEnv(k)
			if !set {
				continue
			}
			v = ev
		}
		opts.BuildArgs[k] = &v
	}
	for _, l := range f.labels {
		k, v, _ := strings.Cut(l, "=")
		opts.Labels[k] = v
	}
	if f.platform != "" {
		os, arch, _ := strings.Cut(f.platform, "/")
		opts.Platforms = []ocispec.Platform{{OS: os, Architecture: arch}}
	}
	body, dockerfile, err := buildContext(cmd.Context(), cmd.InOrStdin(), path, f.file)
	if err != nil {
		return err
	}
	defer body.Close()
	opts.Dockerfile = dockerfile
	c, err := g.connect(cmd.Context())
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := c.ImageBuild(cmd.Context(), body, opts)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var id string
	out := cmd.OutOrStdout()
	if f.quiet {
		out = io.Discard
	}
	err = jsonmessage.DisplayStream(res.Body, out, jsonmessage.WithAuxCallback(func(m jsonstream.Message) {
		var aux struct{ ID string }
		if m.Aux != nil && json.Unmarshal(*m.Aux, &aux) == nil && aux.ID != "" {
			id = aux.ID
		}
	}))
	if err != nil {
		return err
	}
	if f.quiet {
		fmt.Fprintln(cmd.OutOrStdout(), id)
	}
	if f.iidfile != "" && id != "" {
		if err := os.WriteFile(f.iidfile, []byte(id), 0o644); err != nil {
			return fmt.Errorf("write image ID to %s: %w", f.iidfile, err)
		}
	}
	return nil
}

func newBuilderPruneCommand(g *globalOptions) *cobra.Command {
	var all, force bool
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove build cache",
		Long: `Empty the build cache: later builds run every step again. Layers of
images stay; the builder's unpacked copies of them are removed.`,
		Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, _ []string) error {
			res, err := c.BuildCachePrune(cmd.Context(), client.BuildCachePruneOptions{All: all})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if n := len(res.Report.CachesDeleted); n > 0 {
				fmt.Fprintf(out, "Deleted build cache objects: %d\n", n)
			}
			fmt.Fprintf(out, "Total reclaimed space: %s\n", units.HumanSize(float64(res.Report.SpaceReclaimed)))
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all unused build cache, not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return cmd
}
