package build

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// dockerfile is a parsed Dockerfile.
type dockerfile struct {
	name     string
	stages   []instructions.Stage
	metaArgs []instructions.ArgCommand
	lex      *shell.Lex
}

// parseDockerfile parses data (directives, heredocs, every instruction)
// into stages. Errors name the file and line.
func parseDockerfile(name string, data []byte) (*dockerfile, error) {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, parseErr(name, err)
	}
	if len(res.AST.Children) == 0 {
		return nil, fmt.Errorf("%s: the Dockerfile is empty: %w", name, errdefs.ErrInvalidArgument)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, parseErr(name, err)
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("%s: no FROM instruction: a Dockerfile must start with FROM (after ARGs and parser directives): %w", name, errdefs.ErrInvalidArgument)
	}
	return &dockerfile{name: name, stages: stages, metaArgs: metaArgs, lex: shell.NewLex(res.EscapeToken)}, nil
}

func parseErr(name string, err error) error {
	msg := err.Error()
	var loc *parser.LocationError
	if errors.As(err, &loc) && len(loc.Locations) > 0 && len(loc.Locations[0]) > 0 && !strings.Contains(msg, "line ") {
		msg = fmt.Sprintf("dockerfile parse error on line %d: %s", loc.Locations[0][0].Start.Line, msg)
	}
	return fmt.Errorf("%s: %s: %w", name, msg, errdefs.ErrInvalidArgument)
}

// stageIndex finds a stage by name (case-insensitive) or number.
func (df *dockerfile) stageIndex(name string, before int) (int, bool) {
	for i := 0; i < before; i++ {
		if df.stages[i].Name != "" && strings.EqualFold(df.stages[i].Name, name) {
			return i, true
		}
	}
	if n, err := strconv.Atoi(name); err == nil && n >= 0 && n < before {
		return n, true
	}
	return 0, false
}

// target returns the index of the stage to build: --target, or the last.
func (df *dockerfile) target(name string) (int, error) {
	if name == "" {
		return len(df.stages) - 1, nil
	}
	if i, ok := df.stageIndex(name, len(df.stages)); ok {
		return i, nil
	}
	return 0, fmt.Errorf("target stage %q could not be found: %w", name, errdefs.ErrInvalidArgument)
}

// needed marks the stages the target depends on, through FROM and
// COPY --from; only those are built.
func (df *dockerfile) needed(target int, expand func(string) string) []bool {
	need := make([]bool, len(df.stages))
	var visit func(i int)
	visit = func(i int) {
		if need[i] {
			return
		}
		need[i] = true
		if j, ok := df.stageIndex(expand(df.stages[i].BaseName), i); ok {
			visit(j)
		}
		for _, c := range df.stages[i].Commands {
			if cp, ok := c.(*instructions.CopyCommand); ok && cp.From != "" {
				if j, ok := df.stageIndex(expand(cp.From), i); ok {
					visit(j)
				}
			}
		}
	}
	visit(target)
	return need
}
