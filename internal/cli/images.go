package cli

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/docker/go-units"
	imagetypes "github.com/moby/moby/api/types/image"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

// addImageCommands adds the `image` group and Docker's top-level
// shortcuts (images, inspect, tag, rmi, history, import, load, save).
func addImageCommands(root *cobra.Command, g *globalOptions) {
	group := &cobra.Command{
		Use:   "image",
		Short: "Manage images",
		Long:  "Manage images in the berth daemon's store: list, inspect, tag, remove, prune, import, load and save.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	ls := newImagesCommand(g)
	ls.Use, ls.Aliases = "ls [OPTIONS] [REPOSITORY[:TAG]]", []string{"list"}
	rm := newRmiCommand(g)
	rm.Use, rm.Aliases = "rm [OPTIONS] IMAGE [IMAGE...]", []string{"remove"}
	group.AddCommand(ls, newImageInspectCommand(g), newTagCommand(g), rm, newHistoryCommand(g),
		newPruneCommand(g), newImportCommand(g), newLoadCommand(g), newSaveCommand(g))
	root.AddCommand(group, newImagesCommand(g), newInspectCommand(g), newTagCommand(g), newRmiCommand(g),
		newHistoryCommand(g), newImportCommand(g), newLoadCommand(g), newSaveCommand(g))
}

type imagesOptions struct {
	all, quiet, digests, noTrunc bool
	filters                      []string
	format                       string
}

func newImagesCommand(g *globalOptions) *cobra.Command {
	var o imagesOptions
	cmd := &cobra.Command{
		Use:   "images [OPTIONS] [REPOSITORY[:TAG]]",
		Short: "List images",
		Long: `List the images in the store, newest first, one row per tag.

Filters (-f key=value, repeatable): dangling=true|false, reference=PATTERN
(e.g. busybox, 'bus*:lat*'), label=KEY or label=KEY=VALUE, before=IMAGE,
since=IMAGE.

--format takes a Go template over the fields .ID .Repository .Tag .Digest
.CreatedSince .CreatedAt .Size .Containers; "table TEMPLATE" adds column
headers and "json" prints one JSON object per line.`,
		Example: `  berth images
  berth images busybox
  berth images -q --filter dangling=true
  berth images --digests --no-trunc
  berth images --format '{{.Repository}}:{{.Tag}} {{.Size}}'
  berth images --format 'table {{.ID}}\t{{.Repository}}'
  berth images --format json`,
		Args: rangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImages(cmd, g, o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.all, "all", "a", false, "show all images (default hides intermediate images)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "only show image IDs")
	f.BoolVar(&o.digests, "digests", false, "show digests")
	f.BoolVar(&o.noTrunc, "no-trunc", false, "don't truncate output")
	f.StringArrayVarP(&o.filters, "filter", "f", nil, "filter output based on conditions provided")
	f.StringVar(&o.format, "format", "", "format output using a Go template, 'table TEMPLATE' or 'json'")
	return cmd
}

// parseFilterFlags turns repeated key=value flags into API filters.
func parseFilterFlags(cmd *cobra.Command, flags []string) (client.Filters, error) {
	f := make(client.Filters)
	for _, kv := range flags {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, newUsageError(cmd, "bad format of filter (expected name=value): %s", kv)
		}
		f.Add(strings.TrimSpace(k), v)
	}
	return f, nil
}

func runImages(cmd *cobra.Command, g *globalOptions, o imagesOptions, args []string) error {
	filters, err := parseFilterFlags(cmd, o.filters)
	if err != nil {
		return err
	}
	if len(args) == 1 {
		filters.Add("reference", args[0])
	}
	c, err := g.connect(cmd.Context())
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := c.ImageList(cmd.Context(), client.ImageListOptions{All: o.all, Filters: filters})
	if err != nil {
		return err
	}
	items := res.Items
	sort.SliceStable(items, func(i, j int) bool { return items[i].Created > items[j].Created })
	var rows []any
	for _, s := range items {
		for _, r := range imageRows(s, o, time.Now()) {
			rows = append(rows, r)
		}
	}
	lf := listFormat{format: o.format, headers: imageHeaders,
		defaultTable: "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"}
	if o.digests {
		lf.defaultTable = "{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
	}
	if o.quiet && o.format == "" {
		lf.format = "{{.ID}}"
	}
	return lf.write(cmd.OutOrStdout(), rows)
}

var imageHeaders = map[string]string{
	"ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
	"CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS",
	"VirtualSize": "SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
}

// imageRow is one line of `images`, with Docker's field names and string
// values (what `--format json` prints).
type imageRow struct {
	Containers   string
	CreatedAt    string
	CreatedSince string
	Digest       string
	ID           string
	Repository   string
	SharedSize   string
	Size         string
	Tag          string
	UniqueSize   string
	VirtualSize  string
}

// imageRows makes Docker's rows for one image: one per tag, else one per
// digest, else a single <none>:<none>.
func imageRows(s imagetypes.Summary, o imagesOptions, now time.Time) []imageRow {
	created := time.Unix(s.Created, 0)
	base := imageRow{
		Containers:   "N/A",
		CreatedAt:    created.Format("2006-01-02 15:04:05 -0700 MST"),
		CreatedSince: units.HumanDuration(now.Sub(created)) + " ago",
		ID:           shortID(s.ID, o.noTrunc),
		SharedSize:   "N/A",
		Size:         units.HumanSizeWithPrecision(float64(s.Size), 3),
		UniqueSize:   "N/A",
		Digest:       "<none>",
	}
	if s.Containers >= 0 {
		base.Containers = fmt.Sprint(s.Containers)
	}
	// Docker's deprecated VirtualSize is Size with go-units' default precision.
	base.VirtualSize = units.HumanSize(float64(s.Size))
	digestOf := map[string]string{} // repository → digest
	for _, rd := range s.RepoDigests {
		if ref, err := reference.ParseNormalizedNamed(rd); err == nil {
			if d, ok := ref.(reference.Digested); ok {
				digestOf[reference.FamiliarName(ref)] = d.Digest().String()
			}
		}
	}
	var rows []imageRow
	for _, rt := range s.RepoTags {
		ref, err := reference.ParseNormalizedNamed(rt)
		if err != nil {
			continue
		}
		r := base
		r.Repository, r.Tag = reference.FamiliarName(ref), "<none>"
		if t, ok := ref.(reference.Tagged); ok {
			r.Tag = t.Tag()
		}
		if d, ok := digestOf[r.Repository]; ok {
			r.Digest = d
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		for repo, d := range digestOf {
			r := base
			r.Repository, r.Tag, r.Digest = repo, "<none>", d
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		r := base
		r.Repository, r.Tag = "<none>", "<none>"
		rows = append(rows, r)
	}
	return rows
}

// shortID is Docker's 12-character ID, or the full "sha256:…" with --no-trunc.
func shortID(id string, noTrunc bool) string {
	if noTrunc {
		return id
	}
	id = strings.TrimPrefix(id, "sha256:")
	return id[:min(12, len(id))]
}
