package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newStatsCommand(g *globalOptions) *cobra.Command {
	var all, noStream, noTrunc bool
	var format string
	cmd := &cobra.Command{
		Use:   "stats [OPTIONS] [CONTAINER...]",
		Short: "Display a live stream of container(s) resource usage statistics",
		Long: `Show CPU, memory, network and block I/O use and process counts of the
named containers (default: all running ones), refreshed every second until
interrupted; --no-stream prints one sample and exits.

--format takes a Go template over .Container .Name .ID .CPUPerc .MemUsage
.MemPerc .NetIO .BlockIO .PIDs; "table TEMPLATE" adds headers, "json"
prints one JSON object per line.`,
		Example: `  berth stats
  berth stats --no-stream web db
  berth stats --no-stream --format '{{.Name}}: {{.CPUPerc}} {{.MemUsage}}'`,
		ValidArgsFunction: completeContainers(g, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := g.connect(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			names := args
			if len(names) == 0 {
				res, err := c.ContainerList(ctx, client.ContainerListOptions{All: all})
				if err != nil {
					return err
				}
				for _, s := range res.Items {
					names = append(names, s.ID)
				}
			}
			lf := listFormat{format: format, headers: statsHeaders, defaultTable: statsDefaultTable}
			if noStream {
				return statsOnce(cmd, c, names, lf, noTrunc)
			}
			return statsLive(ctx, cmd, c, names, lf, noTrunc)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&all, "all", "a", false, "show all containers (default shows just running)")
	f.BoolVar(&noStream, "no-stream", false, "disable streaming stats and only pull the first result")
	f.BoolVar(&noTrunc, "no-trunc", false, "do not truncate output")
	f.StringVar(&format, "format", "", "format output using a Go template, 'table TEMPLATE' or 'json'")
	return cmd
}

// statsSample reads one sample of a container's stats.
func statsSample(ctx context.Context, c *client.Client, name string) (container.StatsResponse, error) {
	var s container.StatsResponse
	res, err := c.ContainerStats(ctx, name, client.ContainerStatsOptions{Stream: false, IncludePreviousSample: true})
	if err != nil {
		return s, err
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
		return s, fmt.Errorf("decode stats of %s: %w", name, err)
	}
	return s, nil
}

func statsOnce(cmd *cobra.Command, c *client.Client, names []string, lf listFormat, noTrunc bool) error {
	var rows []any
	var failed error
	for _, n := range names {
		s, err := statsSample(cmd.Context(), c, n)
		if err != nil {
			cmd.PrintErrln(errorLine(err))
			failed = statusError{code: ExitFailure}
			continue
		}
		r := newStatsRow(n, s)
		if noTrunc {
			r.ID = s.ID
		}
		rows = append(rows, r)
	}
	if err := lf.write(cmd.OutOrStdout(), rows); err != nil {
		return err
	}
	return failed
}

// statsLive follows each container's stats stream and redraws the table
// every second, as Docker's live view does.
func statsLive(ctx context.Context, cmd *cobra.Command, c *client.Client, names []string, lf listFormat, noTrunc bool) error {
	var mu sync.Mutex
	latest := map[string]statsRow{}
	for _, n := range names {
		go func() {
			res, err := c.ContainerStats(ctx, n, client.ContainerStatsOptions{Stream: true})
			if err != nil {
				return
			}
			defer res.Body.Close()
			dec := json.NewDecoder(res.Body)
			for {
				var s container.StatsResponse
				if err := dec.Decode(&s); err != nil {
					mu.Lock()
					delete(latest, n)
					mu.Unlock()
					return
				}
				r := newStatsRow(n, s)
				if noTrunc {
					r.ID = s.ID
				}
				mu.Lock()
				latest[n] = r
				mu.Unlock()
			}
		}()
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		var rows []any
		mu.Lock()
		for _, n := range names {
			if r, ok := latest[n]; ok {
				rows = append(rows, r)
			}
		}
		mu.Unlock()
		var buf bytes.Buffer
		buf.WriteString("\033[2J\033[H") // clear the screen, cursor home
		if err := lf.write(&buf, rows); err != nil {
			return err
		}
		if _, err := cmd.OutOrStdout().Write(buf.Bytes()); err != nil {
			return err
		}
	}
}
