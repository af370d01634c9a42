package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func newImageInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect [OPTIONS] IMAGE [IMAGE...]",
		Short: "Display detailed information on one or more images",
		Long: `Print the daemon's JSON description of each image (Docker's shape), as an
array. --format applies a Go template to each image instead.`,
		Example: `  berth image inspect busybox
  berth image inspect --format '{{.Id}} {{.Config.Cmd}}' busybox
  berth image inspect --format '{{json .RootFS.Layers}}' busybox`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runObjectInspect(cmd, g, "image", format, false, args)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format output using a Go template, or 'json'")
	return cmd
}

// newInspectCommand is the top-level `inspect`: containers, images and
// volumes, tried in that order unless --type names one.
func newInspectCommand(g *globalOptions) *cobra.Command {
	cmd := newImageInspectCommand(g)
	cmd.Use = "inspect [OPTIONS] NAME|ID [NAME|ID...]"
	cmd.Short = "Return low-level information on berth objects"
	cmd.Long = `Print the daemon's JSON description of each container, image or volume
(Docker's shape), as an array. --format applies a Go template to each.`
	var typ string
	var size bool
	cmd.Flags().StringVar(&typ, "type", "", "only inspect objects of the given type (container, image, volume)")
	cmd.Flags().BoolVarP(&size, "size", "s", false, "display total file sizes if the type is container")
	cmd.RunE = func(c *cobra.Command, args []string) error {
		switch typ {
		case "", "container", "image", "volume":
		default:
			return newUsageError(c, "unknown type %q: berth can inspect containers, images and volumes", typ)
		}
		format, _ := c.Flags().GetString("format")
		return runObjectInspect(c, g, typ, format, size, args)
	}
	return cmd
}

// formatInspected applies a template to the typed response, and, when a
// field is not found there, to the raw JSON object, so that templates
// written for Docker ({{.Id}}, {{.Config.Cmd}}) work.
func formatInspected(w io.Writer, format string, typed any, raw []byte) error {
	var buf bytes.Buffer
	if err := formatOne(&buf, format, typed); err == nil {
		_, err = w.Write(buf.Bytes())
		return err
	}
	var generic map[string]any
	// Numbers stay as written (67108864, not 6.7108864e+07), as Docker's.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return fmt.Errorf("decode inspect response: %w", err)
	}
	return formatOne(w, format, generic)
}

// inspectPrinter prints what an inspect command fetched: with a template,
// each object as it comes; without one, all of them as one JSON array at
// the end ([] when none was found), as Docker does.
type inspectPrinter struct {
	w      io.Writer
	format string
	raws   []json.RawMessage
}

func (p *inspectPrinter) add(typed any, raw []byte) error {
	if p.format != "" {
		return formatInspected(p.w, p.format, typed, raw)
	}
	p.raws = append(p.raws, json.RawMessage(bytes.TrimSpace(raw)))
	return nil
}

// flush prints the JSON array, when there is no template.
func (p *inspectPrinter) flush() error {
	if p.format != "" {
		return nil
	}
	raws := p.raws
	if raws == nil {
		raws = []json.RawMessage{}
	}
	b, err := json.MarshalIndent(raws, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(p.w, string(b))
	return err
}
