package build

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/containerd/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
)

// dispatch runs one instruction of a stage (or an ONBUILD trigger).
func (r *buildRun) dispatch(ctx context.Context, st *stage, cmd instructions.Command, trigger bool) error {
	if err := r.expand(st, cmd); err != nil {
		return err
	}
	c, err := r.changeFor(ctx, st, cmd)
	if err != nil {
		return err
	}
	if err := r.commit(ctx, st, c); err != nil {
		if trigger {
			return fmt.Errorf("ONBUILD trigger %s: %w", cmdString(cmd), err)
		}
		return err
	}
	return nil
}

// expand substitutes variables in the instruction's words, with the
// stage's ARGs and ENV, using the Dockerfile's escape character.
func (r *buildRun) expand(st *stage, cmd instructions.Command) error {
	env := st.env()
	expander := func(word string) (string, error) {
		res, err := r.df.lex.ProcessWordWithMatches(word, env)
		return res.Result, err
	}
	if e, ok := cmd.(instructions.SupportsSingleWordExpansion); ok {
		if err := e.Expand(expander); err != nil {
			return locErr(r.df.name, cmd, err)
		}
	}
	if e, ok := cmd.(instructions.SupportsSingleWordExpansionRaw); ok {
		if err := e.ExpandRaw(expander); err != nil {
			return locErr(r.df.name, cmd, err)
		}
	}
	return nil
}

// locErr names the file and line of a bad instruction.
func locErr(file string, cmd instructions.Command, err error) error {
	line := 0
	if loc := cmd.Location(); len(loc) > 0 {
		line = loc[0].Start.Line
	}
	if errdefs.Resolve(err) != errdefs.ErrUnknown {
		// Already classified (a download that failed, a missing source).
		return fmt.Errorf("%s:%d: %s: %w", file, line, cmdString(cmd), err)
	}
	return fmt.Errorf("%s:%d: %s: %v: %w", file, line, cmdString(cmd), err, errdefs.ErrInvalidArgument)
}

// changeFor turns an expanded instruction into a change.
func (r *buildRun) changeFor(ctx context.Context, st *stage, cmd instructions.Command) (change, error) {
	switch c := cmd.(type) {
	case *instructions.EnvCommand:
		var parts []string
		for _, kv := range c.Env {
			parts = append(parts, kv.Key+"="+kv.Value)
		}
		return change{createdBy: nop(st.shell(), "ENV "+strings.Join(parts, " ")), config: func(img *dockerspec.DockerOCIImage) {
			for _, kv := range c.Env {
				img.Config.Env = setEnv(img.Config.Env, kv.Key, kv.Value)
			}
		}}, nil
	case *instructions.LabelCommand:
		var parts []string
		for _, kv := range c.Labels {
			parts = append(parts, kv.Key+"="+kv.Value)
		}
		return change{createdBy: nop(st.shell(), "LABEL "+strings.Join(parts, " ")), config: func(img *dockerspec.DockerOCIImage) {
			if img.Config.Labels == nil {
				img.Config.Labels = map[string]string{}
			}
			for _, kv := range c.Labels {
				img.Config.Labels[kv.Key] = kv.Value
			}
		}}, nil
	case *instructions.MaintainerCommand:
		return change{createdBy: nop(st.shell(), "MAINTAINER "+c.Maintainer), config: func(img *dockerspec.DockerOCIImage) { img.Author = c.Maintainer }}, nil
	case *instructions.CmdCommand:
		argv := st.commandLine(c.ShellDependantCmdLine)
		st.cmdSet = true
		return change{createdBy: nop(st.shell(), fmt.Sprintf("CMD %q", argv)), config: func(img *dockerspec.DockerOCIImage) { img.Config.Cmd = argv }}, nil
	case *instructions.EntrypointCommand:
		argv := st.commandLine(c.ShellDependantCmdLine)
		keepCmd := st.cmdSet
		return change{createdBy: nop(st.shell(), fmt.Sprintf("ENTRYPOINT %q", argv)), config: func(img *dockerspec.DockerOCIImage) {
			img.Config.Entrypoint = argv
			if !keepCmd {
				img.Config.Cmd = nil
			}
		}}, nil
	case *instructions.ExposeCommand:
		// EXPOSE alone expands a word to several ("EXPOSE $PORTS"), as
		// Docker's; the history keeps the words, not the normalised ports.
		var words []string
		for _, p := range c.Ports {
			ws, err := r.df.lex.ProcessWords(p, st.env())
			if err != nil {
				return change{}, locErr(r.df.name, cmd, err)
			}
			words = append(words, ws...)
		}
		ports, err := exposedPorts(words)
		if err != nil {
			return change{}, locErr(r.df.name, cmd, err)
		}
		return change{createdBy: nop(st.shell(), "EXPOSE "+strings.Join(words, " ")), config: func(img *dockerspec.DockerOCIImage) {
			if img.Config.ExposedPorts == nil {
				img.Config.ExposedPorts = map[string]struct{}{}
			}
			for _, p := range ports {
				img.Config.ExposedPorts[p] = struct{}{}
			}
		}}, nil
	case *instructions.VolumeCommand:
		for _, v := range c.Volumes {
			if strings.TrimSpace(v) == "" {
				return change{}, locErr(r.df.name, cmd, fmt.Errorf("VOLUME specified can not be an empty string"))
			}
		}
		return change{createdBy: nop(st.shell(), fmt.Sprintf("VOLUME %v", c.Volumes)), config: func(img *dockerspec.DockerOCIImage) {
			if img.Config.Volumes == nil {
				img.Config.Volumes = map[string]struct{}{}
			}
			for _, v := range c.Volumes {
				img.Config.Volumes[v] = struct{}{}
			}
		}}, nil
	case *instructions.UserCommand:
		return change{createdBy: nop(st.shell(), "USER "+c.User), config: func(img *dockerspec.DockerOCIImage) { img.Config.User = c.User }}, nil
	case *instructions.WorkdirCommand:
		return r.workdirChange(st, c), nil
	case *instructions.StopSignalCommand:
		return change{createdBy: nop(st.shell(), "STOPSIGNAL "+c.Signal), config: func(img *dockerspec.DockerOCIImage) { img.Config.StopSignal = c.Signal }}, nil
	case *instructions.HealthCheckCommand:
		hc := *c.Health
		return change{createdBy: nop(st.shell(), healthcheckComment(hc)),
			config: func(img *dockerspec.DockerOCIImage) { img.Config.Healthcheck = &hc }}, nil
	case *instructions.ShellCommand:
		sh := slices.Clone(c.Shell)
		return change{createdBy: nop(sh, fmt.Sprintf("SHELL %v", sh)), config: func(img *dockerspec.DockerOCIImage) { img.Config.Shell = sh }}, nil
	case *instructions.OnbuildCommand:
		expr := strings.TrimSpace(c.Expression)
		return change{createdBy: nop(st.shell(), "ONBUILD "+expr), config: func(img *dockerspec.DockerOCIImage) { img.Config.OnBuild = append(img.Config.OnBuild, expr) }}, nil
	case *instructions.ArgCommand:
		return r.argChange(st, c)
	case *instructions.RunCommand:
		return r.runChange(st, c)
	case *instructions.CopyCommand:
		return r.copyChange(ctx, st, c)
	case *instructions.AddCommand:
		return r.addChange(ctx, st, c)
	}
	return change{}, locErr(r.df.name, cmd, fmt.Errorf("instruction %s is not supported: %w", strings.ToUpper(cmd.Name()), errdefs.ErrNotImplemented))
}

// argChange declares build args in the stage.
func (r *buildRun) argChange(st *stage, c *instructions.ArgCommand) (change, error) {
	var parts []string
	for _, kv := range c.Args {
		r.declared[kv.Key] = true
		val, ok := r.buildArg(kv.Key)
		if !ok && kv.Value != nil {
			val, ok = *kv.Value, true
		}
		if !ok {
			// A stage's ARG without a default inherits the global one.
			for _, m := range r.metaEnv {
				if k, v, _ := strings.Cut(m, "="); k == kv.Key {
					val, ok = v, true
				}
			}
		}
		st.args = slices.DeleteFunc(st.args, func(s string) bool { k, _, _ := strings.Cut(s, "="); return k == kv.Key })
		if ok {
			st.args = append(st.args, kv.Key+"="+val)
		}
		text := kv.Key
		if kv.Value != nil {
			text += "=" + *kv.Value
		}
		parts = append(parts, text)
	}
	return change{createdBy: nop(st.shell(), "ARG "+strings.Join(parts, " "))}, nil
}

// healthcheckComment is HEALTHCHECK's history comment as Docker's: its
// config printed by fmt's %q as a pointer to the struct, field by field
// (durations as strings, the retries as a quoted rune: '\x03').
func healthcheckComment(hc dockerspec.HealthcheckConfig) string {
	retries := rune(hc.Retries)
	if hc.Retries < 0 || hc.Retries > utf8.MaxRune {
		retries = utf8.RuneError
	}
	return fmt.Sprintf("HEALTHCHECK &{%q %q %q %q %q %s}", hc.Test, hc.Interval, hc.Timeout, hc.StartPeriod, hc.StartInterval, strconv.QuoteRune(retries))
}

// commandLine turns a shell- or exec-form command into argv.
func (st *stage) commandLine(cl instructions.ShellDependantCmdLine) []string {
	if cl.PrependShell {
		return append(slices.Clone(st.shell()), strings.Join(cl.CmdLine, " "))
	}
	return slices.Clone(cl.CmdLine)
}

// setEnv sets key=value in env, replacing an earlier value.
func setEnv(env []string, key, value string) []string {
	out := slices.Clone(env)
	for i, kv := range out {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			out[i] = key + "=" + value
			return out
		}
	}
	return append(out, key+"="+value)
}
