package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/berthproject/berth/internal/runtime"
)

func cmdList(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	format := fs.String("format", "table", "table or json")
	fs.StringVar(format, "f", "table", "table or json")
	quiet := fs.Bool("quiet", false, "only ids")
	fs.BoolVar(quiet, "q", false, "only ids")
	if err := fs.Parse(args); err != nil {
		return err
	}
	list, err := g.rt.List(ctx)
	if err != nil {
		return err
	}
	if *format == "json" {
		if list == nil {
			return printJSON([]any{})
		}
		return printJSON(list)
	}
	if *quiet {
		for _, s := range list {
			fmt.Println(s.ID)
		}
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0)
	fmt.Fprintln(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER")
	for _, s := range list {
		created, _ := g.rt.Created(s.ID)
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\troot\n", s.ID, s.Pid, s.Status, s.Bundle, created.Format(time.RFC3339Nano))
	}
	return w.Flush()
}

func cmdFeatures(ctx context.Context, g *globals, args []string) error {
	return printJSON(runtime.Features())
}

func cmdSpec(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("spec", flag.ContinueOnError)
	bundle := fs.String("bundle", ".", "where to write config.json")
	fs.StringVar(bundle, "b", ".", "where to write config.json")
	fs.Bool("rootless", false, "accepted for compatibility")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path := filepath.Join(*bundle, "config.json")
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists; remove it first", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	return writeIndented(f, runtime.DefaultSpec())
}
