package docs

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// example is one runnable ```console block of a page.
type example struct {
	page string // file name, e.g. cli.md
	line int    // line of the opening fence
	cmds []command
}

// command is one "$ " line (with its continuation lines) and the output
// the page shows for it.
type command struct {
	line int // line of the "$ "
	text string
	want []string
}

func (e example) name() string { return fmt.Sprintf("%s:%d", e.page, e.line) }

// examplesIn reads the console blocks of every markdown page in dir.
func examplesIn(dir string) ([]example, error) {
	pages, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return nil, err
	}
	var all []example
	for _, p := range pages {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		ex, err := parsePage(filepath.Base(p), bufio.NewScanner(f))
		f.Close()
		if err != nil {
			return nil, err
		}
		all = append(all, ex...)
	}
	return all, nil
}

// parsePage splits a page into its console examples.
func parsePage(page string, sc *bufio.Scanner) ([]example, error) {
	var (
		out     []example
		cur     *example
		inFence bool
		fence   string
		n       int
	)
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if !inFence {
			if strings.HasPrefix(trimmed, "```") {
				inFence, fence = true, "```"
				if strings.TrimSpace(strings.TrimPrefix(trimmed, "```")) == "console" {
					cur = &example{page: page, line: n}
				}
			}
			continue
		}
		if strings.HasPrefix(trimmed, fence) {
			if cur != nil {
				if len(cur.cmds) > 0 {
					out = append(out, *cur)
				}
			}
			inFence, cur = false, nil
			continue
		}
		if cur == nil {
			continue
		}
		last := len(cur.cmds) - 1
		switch {
		case last >= 0 && len(cur.cmds[last].want) == 0 && strings.HasSuffix(cur.cmds[last].text, "\\"):
			cur.cmds[last].text += "\n" + line
		case strings.HasPrefix(line, "$ "):
			cur.cmds = append(cur.cmds, command{line: n, text: strings.TrimPrefix(line, "$ ")})
		case last < 0:
			// A console block that does not open with "$ " (a "# " root
			// prompt, a transcript) is an illustration, not run.
			cur = nil
		default:
			cur.cmds[last].want = append(cur.cmds[last].want, line)
		}
	}
	if inFence {
		return nil, fmt.Errorf("%s: unclosed code fence", page)
	}
	return out, sc.Err()
}

// placeholders are what expected output may say instead of values that
// change from run to run.
var placeholders = map[string]string{
	"<id>":     `(?:[0-9a-f]{64}|[0-9a-f]{12})`,
	"<digest>": `sha256:[0-9a-f]{64}`,
	"<size>":   `[0-9]+(?:\.[0-9]+)?\s?(?:B|kB|KB|MB|GB|TB|KiB|MiB|GiB)`,
	"<time>":   `(?:[A-Za-z0-9 ]+ ago|[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(?:Z|[+-][0-9]{2}:?[0-9]{2})?(?: [A-Z]+)?)`,
	"<n>":      `[0-9]+`,
	"<ip>":     `[0-9]{1,3}(?:\.[0-9]{1,3}){3}`,
	"<...>":    `.*`,
}

var placeholderRE = regexp.MustCompile(`<id>|<digest>|<size>|<time>|<n>|<ip>|<\.\.\.>|\s+`)

// lineRE turns one expected line into an anchored pattern.
func lineRE(want string) *regexp.Regexp {
	want = strings.TrimSpace(want)
	var b strings.Builder
	b.WriteString("^")
	rest := want
	for {
		loc := placeholderRE.FindStringIndex(rest)
		if loc == nil {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:loc[0]]))
		tok := rest[loc[0]:loc[1]]
		if p, ok := placeholders[tok]; ok {
			b.WriteString(p)
		} else {
			b.WriteString(`\s+`)
		}
		rest = rest[loc[1]:]
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// matches reports whether got (output lines) is what want describes.
func matches(want, got []string) bool {
	for i := range got {
		got[i] = strings.TrimSpace(got[i])
	}
	return matchFrom(want, got)
}

func matchFrom(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if strings.TrimSpace(want[0]) == "..." {
		for skip := 0; skip <= len(got); skip++ {
			if matchFrom(want[1:], got[skip:]) {
				return true
			}
		}
		return false
	}
	if len(got) == 0 || !lineRE(want[0]).MatchString(got[0]) {
		return false
	}
	return matchFrom(want[1:], got[1:])
}
