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
	"pad":      pad,
	"truncate": func(s string, n int) string { return s[:min(n, len(s))] },
}

// pad surrounds a non-empty s with spaces; an empty value stays empty so
// that optional columns collapse, as Docker's.
func pad(s string, l, r int) string {
	if s == "" {
		return s
	}
	return strings.Repeat(" ", l) + s + strings.Repeat(" ", r)
}

// headerFuncs replace the value-changing functions while a table's header
// is written: {{upper .Names}} or {{json .Names}} keep the title "NAMES",
// as Docker's tables do. pad stays, so that headers align with their column.
var headerFuncs = template.FuncMap{
	"json":     func(v string) string { return v },
	"split":    func(v, _ string) string { return v },
	"join":     func(v, _ string) string { return v },
	"title":    func(v string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

// tableHeader is what a table's template runs on to print its titles: the
// field → title map, plus Label for {{.Label "KEY"}} columns.
type tableHeader map[string]string

// Label titles a {{.Label "com.example.my-app"}} column as Docker's does:
// the key's last dot-separated part, with '-' and '_' made spaces ("my app").
func (tableHeader) Label(key string) string {
	return strings.NewReplacer("-", " ", "_", " ").Replace(key[strings.LastIndex(key, ".")+1:])
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
	// Docker's templates write tabs and newlines as \t and \n.
	format = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(format)
	t, err := parseTemplate(format)
	if err != nil {
		return err
	}
	// Rows first: a row that fails prints nothing at all, header included.
	var body bytes.Buffer
	for _, row := range rows {
		if err := t.Execute(&body, row); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		body.WriteByte('\n')
	}
	if !table {
		_, err := w.Write(body.Bytes())
		return err
	}
	// The titles run through a copy of the template with headerFuncs; a
	// field without a title ends the header line where it is, as Docker's.
	ht, err := t.Clone()
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	tw := tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
	_ = ht.Funcs(headerFuncs).Execute(tw, tableHeader(lf.headers))
	fmt.Fprintln(tw)
	if _, err := tw.Write(body.Bytes()); err != nil {
		return err
	}
	return tw.Flush()
}
