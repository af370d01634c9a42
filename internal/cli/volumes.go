package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/moby/moby/api/types/volume"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

// addVolumeCommands adds the `volume` group: create, ls, inspect, rm, prune.
func addVolumeCommands(root *cobra.Command, g *globalOptions) {
	group := &cobra.Command{
		Use:   "volume",
		Short: "Manage volumes",
		Long: `Manage named volumes: directories under the daemon's root that outlive
containers. Mount one with "berth run -v NAME:/path" or --mount
type=volume,src=NAME,dst=/path; a name not yet known is created on first use.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	group.AddCommand(newVolumeCreateCommand(g), newVolumeLsCommand(g), newVolumeInspectCommand(g),
		newVolumeRmCommand(g), newVolumePruneCommand(g))
	root.AddCommand(group)
}

// completeVolumes completes volume names.
func completeVolumes(g *globalOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		c, err := g.connect(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer c.Close()
		res, err := c.VolumeList(cmd.Context(), client.VolumeListOptions{})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []cobra.Completion
		for _, v := range res.Items {
			if strings.HasPrefix(v.Name, toComplete) {
				names = append(names, v.Name)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// parseKV reads repeated KEY=VALUE flags into a map.
func parseKV(cmd *cobra.Command, flag string, kvs []string) (map[string]string, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		if k == "" {
			return nil, newUsageError(cmd, "invalid --%s %q: want KEY=VALUE", flag, kv)
		}
		m[k] = v
	}
	return m, nil
}

var volumeHeaders = map[string]string{
	"Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE", "Mountpoint": "MOUNTPOINT", "Labels": "LABELS",
	"Links": "LINKS", "Size": "SIZE", "CreatedAt": "CREATED AT", "Group": "GROUP", "Availability": "AVAILABILITY",
	"Status": "STATUS",
}

// volumeRow is one line of `volume ls`, with Docker's field names.
type volumeRow struct {
	Availability string
	CreatedAt    string
	Driver       string
	Group        string
	Labels       string
	Links        string
	Mountpoint   string
	Name         string
	Scope        string
	Size         string
	Status       string

	labels map[string]string
}

// Label is the value of one label, for templates: {{.Label "app"}}.
func (r volumeRow) Label(name string) string { return r.labels[name] }

func newVolumeRow(v volume.Volume) volumeRow {
	r := volumeRow{Name: v.Name, Driver: v.Driver, Scope: v.Scope, Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt,
		Links: "N/A", Size: "N/A", labels: v.Labels}
	// Group, Availability and Status describe cluster volumes, which berth
	// does not have: Docker prints N/A for a local volume.
	r.Group, r.Availability, r.Status = "N/A", "N/A", "N/A"
	var labels []string
	for k, val := range v.Labels {
		labels = append(labels, k+"="+val)
	}
	sort.Strings(labels)
	r.Labels = strings.Join(labels, ",")
	if v.UsageData != nil && v.UsageData.Size >= 0 {
		r.Links, r.Size = fmt.Sprint(v.UsageData.RefCount), humanSize(v.UsageData.Size)
	}
	return r
}
