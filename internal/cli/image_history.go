package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

// historyRow is one layer of `history`, with Docker's field names.
type historyRow struct {
	Comment      string
	CreatedAt    string
	CreatedBy    string
	CreatedSince string
	ID           string
	Size         string
}

var historyHeaders = map[string]string{
	"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
	"Size": "SIZE", "Comment": "COMMENT",
}

func newHistoryCommand(g *globalOptions) *cobra.Command {
	var human, noTrunc, quiet bool
	var format string
	cmd := &cobra.Command{
		Use:   "history [OPTIONS] IMAGE",
		Short: "Show the history of an image",
		Long: `Show how an image was made, newest layer first. Fields for --format:
.ID .CreatedSince .CreatedAt .CreatedBy .Size .Comment.`,
		Example: `  berth history busybox
  berth history --no-trunc -H=false busybox
  berth history --format '{{.CreatedBy}}' busybox`,
		Args: exactArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, c *client.Client, args []string) error {
			res, err := c.ImageHistory(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			now := time.Now()
			var rows []any
			for _, h := range res.Items {
				r := historyRow{Comment: h.Comment, ID: "<missing>"}
				if h.ID != "" && h.ID != "<missing>" {
					r.ID = shortID(h.ID, noTrunc)
				}
				created := time.Unix(h.Created, 0)
				r.CreatedSince, r.CreatedAt = units.HumanDuration(now.Sub(created))+" ago", created.Format(time.RFC3339)
				r.Size = fmt.Sprint(h.Size)
				if human {
					r.CreatedAt = r.CreatedSince
					r.Size = units.HumanSizeWithPrecision(float64(h.Size), 3)
				}
				r.CreatedBy = strings.ReplaceAll(h.CreatedBy, "\t", " ")
				if !noTrunc {
					r.CreatedBy = ellipsis(r.CreatedBy, 45)
				}
				rows = append(rows, r)
			}
			lf := listFormat{format: format, headers: historyHeaders,
				defaultTable: "{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"}
			if !human {
				lf.defaultTable = "{{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
			}
			if quiet && format == "" {
				lf.format = "{{.ID}}"
			}
			return lf.write(cmd.OutOrStdout(), rows)
		}),
	}
	f := cmd.Flags()
	f.BoolVarP(&human, "human", "H", true, "print sizes and dates in human readable format")
	f.BoolVar(&noTrunc, "no-trunc", false, "don't truncate output")
	f.BoolVarP(&quiet, "quiet", "q", false, "only show image IDs")
	f.StringVar(&format, "format", "", "format output using a Go template, 'table TEMPLATE' or 'json'")
	return cmd
}

// ellipsis cuts s to n runes, ending in "…", as Docker's history does.
func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
