package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newTopCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "top CONTAINER [ps OPTIONS]",
		Short: "Display the running processes of a container",
		Long: `List the container's processes as ps(1) sees them on the host; the
arguments after the container are ps options (default -ef).`,
		Example:           "  berth top web\n  berth top web -o pid,comm",
		Args:              minArgs(1),
		ValidArgsFunction: completeContainers(g, false),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			res, err := c.ContainerTop(cmd.Context(), args[0], client.ContainerTopOptions{Arguments: args[1:]})
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 20, 1, 3, ' ', 0)
			fmt.Fprintln(tw, strings.Join(res.Titles, "\t"))
			for _, p := range res.Processes {
				fmt.Fprintln(tw, strings.Join(p, "\t"))
			}
			return tw.Flush()
		}),
	}
}

func newPortCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "port CONTAINER [PRIVATE_PORT[/PROTO]]",
		Short: "List port mappings or a specific mapping for the container",
		Long: `Print the container's published ports ("80/tcp -> 0.0.0.0:8080"), or the
host addresses of one private port.`,
		Example:           "  berth port web\n  berth port web 80/tcp",
		Args:              rangeArgs(1, 2),
		ValidArgsFunction: completeContainers(g, false),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			res, err := c.ContainerInspect(cmd.Context(), args[0], client.ContainerInspectOptions{})
			if err != nil {
				return err
			}
			var ports network.PortMap
			if ns := res.Container.NetworkSettings; ns != nil {
				ports = ns.Ports
			}
			lines, err := portLines(ports, args[1:])
			if err != nil {
				return err
			}
			for _, l := range lines {
				fmt.Fprintln(cmd.OutOrStdout(), l)
			}
			return nil
		}),
	}
}

// portLines renders a container's port map as `docker port` does; with a
// private port it prints only that port's host addresses.
func portLines(ports network.PortMap, want []string) ([]string, error) {
	if len(want) == 1 {
		spec := want[0]
		if !strings.Contains(spec, "/") {
			spec += "/tcp"
		}
		p, err := network.ParsePort(spec)
		if err != nil {
			return nil, invalidf("invalid port %q: %v", want[0], err)
		}
		bs, ok := ports[p]
		if !ok || len(bs) == 0 {
			return nil, fmt.Errorf("no public port '%s' published for the container", p)
		}
		var out []string
		for _, b := range bs {
			out = append(out, hostAddr(b))
		}
		return out, nil
	}
	keys := make([]network.Port, 0, len(ports))
	for p := range ports {
		keys = append(keys, p)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Num() != keys[j].Num() {
			return keys[i].Num() < keys[j].Num()
		}
		return keys[i].Proto() < keys[j].Proto()
	})
	var out []string
	for _, p := range keys {
		for _, b := range ports[p] {
			out = append(out, p.String()+" -> "+hostAddr(b))
		}
	}
	return out, nil
}

func hostAddr(b network.PortBinding) string {
	ip := "0.0.0.0"
	if b.HostIP.IsValid() {
		ip = b.HostIP.String()
		if b.HostIP.Is6() {
			ip = "[" + ip + "]"
		}
	}
	return ip + ":" + b.HostPort
}

func newDiffCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "diff CONTAINER",
		Short: "Inspect changes to files or directories on a container's filesystem",
		Long: `List the paths the container changed against its image: A added,
C changed, D deleted.`,
		Example:           "  berth diff web",
		Args:              exactArgs(1),
		ValidArgsFunction: completeContainers(g, true),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			res, err := c.ContainerDiff(cmd.Context(), args[0], client.ContainerDiffOptions{})
			if err != nil {
				return err
			}
			for _, ch := range res.Changes {
				fmt.Fprintln(cmd.OutOrStdout(), changeLetter(ch.Kind), ch.Path)
			}
			return nil
		}),
	}
}

func changeLetter(k container.ChangeType) string {
	switch k {
	case container.ChangeAdd:
		return "A"
	case container.ChangeDelete:
		return "D"
	default:
		return "C"
	}
}

func newExportCommand(g *globalOptions) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "export [OPTIONS] CONTAINER",
		Short: "Export a container's filesystem as a tar archive",
		Long: `Write the container's root filesystem (image layers and changes, without
volumes) as a tar stream, to -o FILE or to stdout, which must not be a
terminal.`,
		Example:           "  berth export web > web.tar\n  berth export -o web.tar web",
		Args:              exactArgs(1),
		ValidArgsFunction: completeContainers(g, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if output == "" {
				if isTerminal(out) {
					return newUsageError(cmd, "cowardly refusing to save to a terminal. Use the -o flag or redirect")
				}
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			rc, err := c.ContainerExport(cmd.Context(), args[0], client.ContainerExportOptions{})
			if err != nil {
				return err
			}
			defer rc.Close()
			return writeStream(out, output, rc)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to a file, instead of STDOUT")
	return cmd
}

// writeStream copies r to path (written whole, then renamed into place,
// so that a failure leaves no partial file) or, without a path, to out.
func writeStream(out io.Writer, path string, r io.Reader) error {
	if path == "" {
		_, err := io.Copy(out, r)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
