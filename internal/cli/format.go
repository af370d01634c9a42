package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"
)

// templateFuncs are the functions Docker offers in --format templates.
var templateFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		// As Docker's: no HTML escaping, so "<none>" stays readable.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		return strings.TrimSuffix(buf.String(), "\n"), nil
	},
	"join":     strings.Join,
	"split":    strings.Split,
	"lower":    strings.ToLower,
	"upper":    strings.ToUpper,
	"title":    func(s string) string { return strings.ToUpper(s[:min(1, len(s))]) + s[min(1, len(s)):] },
	"println":  fmt.Sprintln,
	"pad":      func(s string, l, r int) string { return strings.Repeat(" ", l) + s + strings.Repeat(" ", r) },
	"truncate": func(s string, n int) string { return s[:min(n, len(s))] },
}

// parseTemplate parses a --format template with Docker's functions.
func parseTemplate(format string) (*template.Template, error) {
	t, err := template.New("format").Funcs(templateFuncs).Parse(format)
	if err != nil {
		return nil, usageError{"template parsing error: " + err.Error()}
	}
	return t, nil
}

// formatOne writes v through a --format template ("json" prints v as JSON),
// followed by a newline, as `docker inspect --format` does.
func formatOne(w io.Writer, format string, v any) error {
	if format == "json" {
		format = "{{json .}}"
	}
	t, err := parseTemplate(format)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	buf.WriteByte('\n')
	_, err = w.Write(buf.Bytes())
	return err
}

// listFormat prints rows for list commands. format is "" (the default
// table), "table [TEMPLATE]", "json" (one JSON object per line) or a
// template. headers names the column of each field, for "table".
type listFormat struct {
	format       string
	defaultTable string            // the template of the default table
	headers      map[string]string // field → column title
}

func (lf listFormat) write(w io.Writer, rows []any) error {
	format := lf.format
	if format == "" || format == "table" {
		format = "table " + lf.defaultTable
	}
	if format == "json" {
		format = "{{json .}}"
	}
	table := false
	if rest, ok := strings.CutPrefix(format, "table"); ok {
		table = true
		format = strings.TrimSpace(rest)
	}
	// Docker's tables separate columns with tabs written as \t in the template.
	format = strings.ReplaceAll(format, `\t`, "\t")
	t, err := parseTemplate(format)
	if err != nil {
		return err
	}
	out := w
	var tw *tabwriter.Writer
	if table {
		tw = tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
		out = tw
		var hb bytes.Buffer
		if err := t.Execute(&hb, lf.headers); err == nil {
			fmt.Fprintln(out, hb.String())
		}
	}
	for _, row := range rows {
		var buf bytes.Buffer
		if err := t.Execute(&buf, row); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		fmt.Fprintln(out, buf.String())
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}
