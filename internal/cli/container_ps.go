package cli

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

type psOptions struct {
	all, quiet, size, latest, noTrunc bool
	last                              int
	filters                           []string
	format                            string
}

func newPsCommand(g *globalOptions) *cobra.Command {
	var o psOptions
	cmd := &cobra.Command{
		Use:   "ps [OPTIONS]",
		Short: "List containers",
		Long: `List running containers, or all of them with -a, newest first.

Filters (-f key=value, repeatable): status=created|running|paused|restarting|
exited|dead, name=NAME, id=ID, label=KEY[=VALUE], ancestor=IMAGE,
exited=CODE, health=starting|healthy|unhealthy|none, before=, since=,
volume=, network=, publish=, expose=.

--format takes a Go template over .ID .Image .Command .CreatedAt
.RunningFor .Ports .State .Status .Size .Names .Labels .Label "KEY"
.Mounts .Networks .LocalVolumes .Platform; "table TEMPLATE" adds column
headers (a .Label "a.b.my-key" column is titled "my key") and "json" prints
one JSON object per line.`,
		Example: `  berth ps
  berth ps -a -f status=exited -f exited=0
  berth ps -q --filter label=app=web
  berth ps -a --format '{{.Names}}\t{{.Status}}'
  berth ps --format 'table {{.ID}}\t{{.Names}}\t{{.Ports}}'
  berth ps -a --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPs(cmd, g, o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.all, "all", "a", false, "show all containers (default shows just running)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "only display container IDs")
	f.BoolVarP(&o.size, "size", "s", false, "display total file sizes")
	f.BoolVarP(&o.latest, "latest", "l", false, "show the latest created container (includes all states)")
	f.IntVarP(&o.last, "last", "n", -1, "show n last created containers (includes all states)")
	f.BoolVar(&o.noTrunc, "no-trunc", false, "don't truncate output")
	f.StringArrayVarP(&o.filters, "filter", "f", nil, "filter output based on conditions provided")
	f.StringVar(&o.format, "format", "", "format output using a Go template, 'table TEMPLATE' or 'json'")
	return cmd
}

func runPs(cmd *cobra.Command, g *globalOptions, o psOptions) error {
	filters, err := parseFilterFlags(cmd, o.filters)
	if err != nil {
		return err
	}
	c, err := g.connect(cmd.Context())
	if err != nil {
		return err
	}
	defer c.Close()
	opts := client.ContainerListOptions{All: o.all, Size: o.size, Filters: filters, Limit: o.last}
	if o.latest {
		opts.Limit = 1
	}
	if opts.Limit > 0 {
		opts.All = true
	}
	if o.format != "" && strings.Contains(o.format, ".Size") {
		opts.Size = true
	}
	res, err := c.ContainerList(cmd.Context(), opts)
	if err != nil {
		return err
	}
	items := res.Items
	sort.SliceStable(items, func(i, j int) bool { return items[i].Created > items[j].Created })
	if opts.Limit > 0 && len(items) > opts.Limit {
		items = items[:opts.Limit]
	}
	now := time.Now()
	rows := make([]any, 0, len(items))
	for _, s := range items {
		if s.Status == "" {
			// A daemon that leaves Status empty still gets Docker's wording.
			if ins, err := c.ContainerInspect(cmd.Context(), s.ID, client.ContainerInspectOptions{}); err == nil {
				s.Status = describeStatus(ins.Container.State, now)
			}
		}
		rows = append(rows, newPsRow(s, o.noTrunc, now))
	}
	lf := listFormat{format: o.format, headers: psHeaders,
		defaultTable: "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"}
	if o.size {
		lf.defaultTable += "\t{{.Size}}"
	}
	if o.quiet && o.format == "" {
		lf.format = "{{.ID}}"
	}
	return lf.write(cmd.OutOrStdout(), rows)
}

var psHeaders = map[string]string{
	"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT", "RunningFor": "CREATED",
	"Status": "STATUS", "Ports": "PORTS", "Names": "NAMES", "Size": "SIZE", "State": "STATE", "Labels": "LABELS",
	"Mounts": "MOUNTS", "Networks": "NETWORKS", "LocalVolumes": "LOCAL VOLUMES",
	"Platform": "PLATFORM",
}

// psPlatform is the platform of a container's image manifest.
type psPlatform struct{ ocispec.Platform }

func (p psPlatform) String() string {
	return path.Join(p.OS, p.Architecture, p.Variant)
}

// psRow is one line of `ps`, with Docker's field names and string values
// (what `--format json` prints).
type psRow struct {
	Command      string
	CreatedAt    string
	ID           string
	Image        string
	Labels       string
	LocalVolumes string
	Mounts       string
	Names        string
	Networks     string
	Platform     *psPlatform // nil (printed "<nil>", JSON null) when the daemon does not say
	Ports        string
	RunningFor   string
	Size         string
	State        string
	Status       string

	labels map[string]string
}

// Label is the value of one label, for templates: {{.Label "app"}}.
func (r psRow) Label(name string) string { return r.labels[name] }

func newPsRow(s container.Summary, noTrunc bool, now time.Time) psRow {
	created := time.Unix(s.Created, 0)
	r := psRow{
		ID:         s.ID,
		Image:      s.Image,
		Command:    s.Command,
		CreatedAt:  created.Format("2006-01-02 15:04:05 -0700 MST"),
		RunningFor: units.HumanDuration(now.Sub(created)) + " ago",
		Ports:      formatPorts(s.Ports),
		State:      string(s.State),
		Status:     s.Status,
		labels:     s.Labels,
	}
	if !noTrunc {
		r.ID = shortContainerID(s.ID)
		r.Command = ellipsis(r.Command, 20)
		if strings.HasPrefix(r.Image, "sha256:") {
			r.Image = shortID(r.Image, false)
		}
	}
	r.Command = strconv.Quote(r.Command)
	var names []string
	for _, n := range s.Names {
		n = strings.TrimPrefix(n, "/")
		// Legacy link names (/other/alias) are shown only with --no-trunc, as Docker's.
		if noTrunc || !strings.Contains(n, "/") {
			names = append(names, n)
		}
	}
	r.Names = strings.Join(names, ",")
	var labels []string
	for k, v := range s.Labels {
		labels = append(labels, k+"="+v)
	}
	sort.Strings(labels)
	r.Labels = strings.Join(labels, ",")
	var mounts []string
	local := 0
	for _, m := range s.Mounts {
		name := m.Name
		if name == "" {
			name = m.Source
		}
		if !noTrunc {
			name = ellipsis(name, 15)
		}
		mounts = append(mounts, name)
		if m.Driver == "local" {
			local++
		}
	}
	r.Mounts, r.LocalVolumes = strings.Join(mounts, ","), strconv.Itoa(local)
	if s.NetworkSettings != nil {
		var nets []string
		for n := range s.NetworkSettings.Networks {
			nets = append(nets, n)
		}
		sort.Strings(nets)
		r.Networks = strings.Join(nets, ",")
	}
	if d := s.ImageManifestDescriptor; d != nil && d.Platform != nil {
		r.Platform = &psPlatform{*d.Platform}
	}
	r.Size = units.HumanSizeWithPrecision(float64(s.SizeRw), 3)
	if s.SizeRootFs > 0 {
		r.Size += fmt.Sprintf(" (virtual %s)", units.HumanSizeWithPrecision(float64(s.SizeRootFs), 3))
	}
	return r
}
