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
			// Without names: every (running) container, and in the live
			// view also those that start later, as Docker's.
			var discover func() ([]string, error)
			if len(args) == 0 {
				discover = func() ([]string, error) {
					res, err := c.ContainerList(ctx, client.ContainerListOptions{All: all})
					var ids []string
					for _, s := range res.Items {
						ids = append(ids, s.ID)
					}
					return ids, err
				}
			}
			names := args
			if discover != nil {
				if names, err = discover(); err != nil {
					return err
				}
			}
			lf := listFormat{format: format, headers: statsHeaders, defaultTable: statsDefaultTable}
			if noStream {
				return statsOnce(cmd, c, names, lf, noTrunc)
			}
			return statsLive(ctx, cmd, c, names, discover, lf, noTrunc)
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
// every second, as Docker's live view does; discover, when set, adds the
// containers that appear meanwhile.
func statsLive(ctx context.Context, cmd *cobra.Command, c *client.Client, names []string, discover func() ([]string, error), lf listFormat, noTrunc bool) error {
	var mu sync.Mutex
	latest := map[string]statsRow{}
	following := map[string]bool{}
	follow := func(n string) {
		if following[n] {
			return
		}
		following[n] = true
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
	for _, n := range names {
		follow(n)
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if discover != nil {
			if found, err := discover(); err == nil {
				for _, n := range found {
					if !following[n] {
						names = append(names, n)
						follow(n)
					}
				}
			}
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
