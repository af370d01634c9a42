package cli

import (
	"sort"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newNetworkLsCommand(g *globalOptions) *cobra.Command {
	var quiet, noTrunc bool
	var format string
	var filterFlags []string
	cmd := &cobra.Command{
		Use:     "ls [OPTIONS]",
		Aliases: []string{"list"},
		Short:   "List networks",
		Long: `List networks by name. Filters (-f key=value): driver=, id=, label=KEY[=VALUE],
name=, scope=local, type=custom|builtin, dangling=true|false.
--format takes a Go template over .ID .Name .Driver .Scope .IPv4 .IPv6
.Internal .Labels .Label "KEY" .CreatedAt; "table TEMPLATE" adds headers,
"json" prints one JSON object per line.`,
		Example: `  berth network ls
  berth network ls -q -f type=custom
  berth network ls --format '{{.Name}} {{.Driver}}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filters, err := parseFilterFlags(cmd, filterFlags)
			if err != nil {
				return err
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			res, err := c.NetworkList(cmd.Context(), client.NetworkListOptions{Filters: filters})
			if err != nil {
				return err
			}
			items := res.Items
			sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
			rows := make([]any, 0, len(items))
			for _, n := range items {
				rows = append(rows, newNetworkRow(n, noTrunc))
			}
			lf := listFormat{format: format, headers: networkHeaders, defaultTable: "{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"}
			if quiet && format == "" {
				lf.format = "{{.ID}}"
			}
			return lf.write(cmd.OutOrStdout(), rows)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&quiet, "quiet", "q", false, "only display network IDs")
	f.BoolVar(&noTrunc, "no-trunc", false, "do not truncate the output")
	f.StringArrayVarP(&filterFlags, "filter", "f", nil, "provide filter values (e.g. 'driver=bridge')")
	f.StringVar(&format, "format", "", "format output using a Go template, 'table TEMPLATE' or 'json'")
	return cmd
}

var networkHeaders = map[string]string{
	"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE", "IPv4": "IPV4", "IPv6": "IPV6",
	"Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT",
}

// networkRow is one line of `network ls`, with Docker's field names.
// Fields are in the order of Docker's JSON keys.
type networkRow struct {
	CreatedAt string
	Driver    string
	ID        string
	IPv4      string
	IPv6      string
	Internal  string
	Labels    string
	Name      string
	Scope     string

	labels map[string]string
}

// Label is the value of one label, for templates: {{.Label "app"}}.
func (r networkRow) Label(name string) string { return r.labels[name] }

func newNetworkRow(n network.Summary, noTrunc bool) networkRow {
	id := n.ID
	if !noTrunc && len(id) > 12 {
		id = id[:12]
	}
	r := networkRow{ID: id, Name: n.Name, Driver: n.Driver, Scope: n.Scope, IPv4: strconv.FormatBool(n.EnableIPv4),
		IPv6: strconv.FormatBool(n.EnableIPv6), Internal: strconv.FormatBool(n.Internal),
		CreatedAt: n.Created.String(), labels: n.Labels}
	var labels []string
	for k, v := range n.Labels {
		labels = append(labels, k+"="+v)
	}
	sort.Strings(labels)
	r.Labels = strings.Join(labels, ",")
	return r
}
