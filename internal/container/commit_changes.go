package container

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/containerd/errdefs"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// applyCommitChange applies one `commit --change` Dockerfile instruction
// to the new image's config: CMD, ENTRYPOINT, ENV, LABEL, WORKDIR, USER,
// EXPOSE, VOLUME, STOPSIGNAL (the instructions Docker accepts there).
func applyCommitChange(cfg *ocispec.ImageConfig, change string) error {
	instr, rest, _ := strings.Cut(strings.TrimSpace(change), " ")
	rest = strings.TrimSpace(rest)
	bad := func(why string) error {
		return fmt.Errorf("invalid change %q: %s: %w", change, why, errdefs.ErrInvalidArgument)
	}
	if rest == "" {
		return bad("no arguments")
	}
	switch strings.ToUpper(instr) {
	case "CMD":
		cfg.Cmd = commandWords(rest)
	case "ENTRYPOINT":
		cfg.Entrypoint = commandWords(rest)
	case "WORKDIR":
		cfg.WorkingDir = rest
	case "USER":
		cfg.User = rest
	case "STOPSIGNAL":
		cfg.StopSignal = rest
	case "ENV", "LABEL":
		pairs := strings.Fields(rest)
		if !strings.Contains(pairs[0], "=") {
			// The legacy form: ENV KEY VALUE WITH SPACES.
			k, v, _ := strings.Cut(rest, " ")
			pairs = []string{k + "=" + strings.TrimSpace(v)}
		}
		for _, p := range pairs {
			k, v, ok := strings.Cut(p, "=")
			if !ok || k == "" {
				return bad(fmt.Sprintf("%q is not KEY=VALUE", p))
			}
			v = strings.Trim(v, `"`)
			if strings.EqualFold(instr, "ENV") {
				cfg.Env = mergeEnv(cfg.Env, []string{k + "=" + v})
				continue
			}
			if cfg.Labels == nil {
				cfg.Labels = map[string]string{}
			}
			cfg.Labels[k] = v
		}
	case "EXPOSE":
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range strings.Fields(rest) {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			cfg.ExposedPorts[p] = struct{}{}
		}
	case "VOLUME":
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		var vols []string
		if json.Unmarshal([]byte(rest), &vols) != nil {
			vols = strings.Fields(rest)
		}
		for _, v := range vols {
			cfg.Volumes[v] = struct{}{}
		}
	default:
		return bad(instr + " is not supported by commit (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR are)")
	}
	return nil
}

// commandWords reads CMD's and ENTRYPOINT's JSON form, or the shell form
// run by /bin/sh -c.
func commandWords(s string) []string {
	var words []string
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &words) == nil {
		return words
	}
	return []string{"/bin/sh", "-c", s}
}
