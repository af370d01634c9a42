package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"time"

	"github.com/berthproject/berth/internal/runtime"
)

// cmdEvents prints runc-style JSON events: with --stats one stats event,
// otherwise stats every --interval and an "oom" event per OOM kill until
// the container stops.
func cmdEvents(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("events", flag.ContinueOnError)
	stats := fs.Bool("stats", false, "print one stats event and exit")
	interval := fs.Duration("interval", 5*time.Second, "time between stats events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	if *stats {
		s, err := g.rt.Stats(ctx, id)
		if err != nil {
			return err
		}
		return enc.Encode(runtime.Event{Type: "stats", ID: id, Data: s})
	}
	return g.rt.Events(ctx, id, *interval, func(e runtime.Event) error { return enc.Encode(e) })
}
