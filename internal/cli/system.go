package cli

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func addSystemCommands(root *cobra.Command, g *globalOptions) {
	root.AddCommand(newVersionCommand(g), newInfoCommand(g))
}

// versionInfo is what `berth version --format` templates see, as Docker's.
type versionInfo struct {
	Client clientVersion
	Server *system.VersionResponse
}

type clientVersion struct {
	Platform   struct{ Name string }
	Version    string
	APIVersion string `json:"ApiVersion"`
	GoVersion  string
	Os         string
	Arch       string
}

func newVersionCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version [OPTIONS]",
		Short: "Show the berth version information",
		Long:  "Show the version of the berth client and of the daemon it talks to.",
		Example: `  berth version
  berth version --format '{{.Server.Version}}'
  berth version --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			v := versionInfo{Client: clientVersion{Version: Version, APIVersion: client.MaxAPIVersion,
				GoVersion: runtime.Version(), Os: runtime.GOOS, Arch: runtime.GOARCH}}
			v.Client.Platform.Name = "berth"
			c, err := g.connect(ctx)
			var srvErr error
			if err == nil {
				defer c.Close()
				v.Client.APIVersion = c.ClientVersion()
				var sv client.ServerVersionResult
				if sv, srvErr = c.ServerVersion(ctx, client.ServerVersionOptions{}); srvErr == nil {
					v.Server = &system.VersionResponse{Platform: system.PlatformInfo{Name: sv.Platform.Name}, Version: sv.Version,
						APIVersion: sv.APIVersion, MinAPIVersion: sv.MinAPIVersion, Os: sv.Os, Arch: sv.Arch, Components: sv.Components}
					for _, comp := range sv.Components {
						if comp.Name == "Engine" {
							v.Server.GoVersion = comp.Details["GoVersion"]
							v.Server.KernelVersion = comp.Details["KernelVersion"]
						}
					}
				}
			} else {
				srvErr = err
			}
			out := cmd.OutOrStdout()
			if format != "" && srvErr != nil {
				// A template over .Server would fail on the missing
				// server and hide why it is missing.
				return srvErr
			}
			if format != "" {
				if ferr := formatOne(out, format, v); ferr != nil {
					return ferr
				}
			} else {
				printVersion(out, v)
			}
			return srvErr
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output with a Go template, or 'json'")
	return cmd
}

func printVersion(w io.Writer, v versionInfo) {
	fmt.Fprintf(w, "Client:\n Version:           %s\n API version:       %s\n Go version:        %s\n OS/Arch:           %s/%s\n",
		v.Client.Version, v.Client.APIVersion, v.Client.GoVersion, v.Client.Os, v.Client.Arch)
	if v.Server == nil {
		return
	}
	s := v.Server
	fmt.Fprintf(w, "\nServer: %s\n Engine:\n  Version:          %s\n  API version:      %s (minimum version %s)\n  Go version:       %s\n  OS/Arch:          %s/%s\n  Kernel:           %s\n",
		s.Platform.Name, s.Version, s.APIVersion, s.MinAPIVersion, s.GoVersion, s.Os, s.Arch, s.KernelVersion)
}

func newInfoCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "info [OPTIONS]",
		Short: "Display system-wide information",
		Long:  "Display what the daemon reports about itself and its host: images, storage and cgroup drivers, kernel, CPUs, memory, root directory.",
		Example: `  berth info
  berth info --format '{{.Images}} images in {{.DockerRootDir}}'
  berth info --format json`,
		Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, _ []string) error {
			res, err := c.Info(cmd.Context(), client.InfoOptions{})
			if err != nil {
				return err
			}
			if format != "" {
				return formatOne(cmd.OutOrStdout(), format, res.Info)
			}
			printInfo(cmd.OutOrStdout(), res.Info)
			return nil
		}),
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output with a Go template, or 'json'")
	return cmd
}

func printInfo(w io.Writer, i system.Info) {
	var b strings.Builder
	p := func(k string, v any) { fmt.Fprintf(&b, " %s: %v\n", k, v) }
	b.WriteString("Client:\n Version:    " + Version + "\n\nServer:\n")
	p("Containers", i.Containers)
	fmt.Fprintf(&b, "  Running: %d\n  Paused: %d\n  Stopped: %d\n", i.ContainersRunning, i.ContainersPaused, i.ContainersStopped)
	p("Images", i.Images)
	p("Server Version", i.ServerVersion)
	p("Storage Driver", i.Driver)
	p("Logging Driver", i.LoggingDriver)
	p("Cgroup Driver", i.CgroupDriver)
	p("Cgroup Version", i.CgroupVersion)
	p("Kernel Version", i.KernelVersion)
	p("Operating System", i.OperatingSystem)
	p("OSType", i.OSType)
	p("Architecture", i.Architecture)
	p("CPUs", i.NCPU)
	p("Total Memory", units.BytesSize(float64(i.MemTotal)))
	p("Name", i.Name)
	p("ID", i.ID)
	p("Docker Root Dir", i.DockerRootDir)
	p("Debug Mode", i.Debug)
	for _, warn := range i.Warnings {
		b.WriteString(warn + "\n")
	}
	io.WriteString(w, b.String())
}
