package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newEventsCommand(g *globalOptions) *cobra.Command {
	var since, until, format string
	var filterFlags []string
	cmd := &cobra.Command{
		Use:   "events [OPTIONS]",
		Short: "Get real time events from the server",
		Long: `Print the daemon's events (container create/start/die/stop/destroy…,
image import/tag/delete…, volume and network events) as they happen, until
interrupted or until --until. --since replays past events first.

Filters (-f key=value, repeatable): container=, image=, event=, type=
(container, image, volume, network, daemon), label=, volume=, network=.
--since/--until take a timestamp or a duration relative to now (10m).
--format takes a Go template over .Type .Action .Actor.ID
.Actor.Attributes .Time .TimeNano, or "json".`,
		Example: `  berth events
  berth events --since 10m --until 0s --filter type=container
  berth events -f event=die -f container=web --format '{{.Actor.Attributes.exitCode}}'
  berth events --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			filters, err := parseFilterFlags(cmd, filterFlags)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			c, err := g.connect(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			res := c.Events(ctx, client.EventsListOptions{Since: since, Until: until, Filters: filters})
			out := cmd.OutOrStdout()
			for {
				select {
				case m := <-res.Messages:
					if format != "" {
						if err := formatOne(out, format, m); err != nil {
							return err
						}
						continue
					}
					writeEvent(out, m)
				case err := <-res.Err:
					if err == nil || err == io.EOF || ctx.Err() != nil {
						return nil
					}
					return err
				case <-ctx.Done():
					return nil
				}
			}
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&filterFlags, "filter", "f", nil, "filter output based on conditions provided")
	f.StringVar(&since, "since", "", "show all events created since timestamp")
	f.StringVar(&until, "until", "", "stream events until this timestamp")
	f.StringVar(&format, "format", "", "format output using a Go template, or 'json'")
	return cmd
}

// writeEvent prints an event as Docker's default line:
// TIME TYPE ACTION ID (key=value, ...).
func writeEvent(w io.Writer, m events.Message) {
	t := time.Unix(0, m.TimeNano)
	if m.TimeNano == 0 {
		t = time.Unix(m.Time, 0)
	}
	line := fmt.Sprintf("%s %s %s %s", t.Format("2006-01-02T15:04:05.000000000Z07:00"), m.Type, m.Action, m.Actor.ID)
	if len(m.Actor.Attributes) > 0 {
		var kv []string
		for k, v := range m.Actor.Attributes {
			kv = append(kv, k+"="+v)
		}
		sort.Strings(kv)
		line += " (" + strings.Join(kv, ", ") + ")"
	}
	fmt.Fprintln(w, line)
}
