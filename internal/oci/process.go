package oci

import (
	"fmt"
	"path"
	"strings"

	"github.com/containerd/errdefs"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// DefaultPath is the PATH of a container whose image sets none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// InitPath is where berth's init is mounted in a container run with --init.
const InitPath = "/sbin/berth-init"

// args combines entrypoint and command as Docker does: --entrypoint
// replaces the image's ENTRYPOINT and drops its CMD; command-line
// arguments replace CMD.
func args(img ocispec.ImageConfig, o Options) ([]string, error) {
	entrypoint, cmd := img.Entrypoint, img.Cmd
	if o.Entrypoint != nil {
		entrypoint, cmd = o.Entrypoint, nil
	}
	if len(o.Cmd) > 0 {
		cmd = o.Cmd
	}
	out := append(append([]string{}, entrypoint...), cmd...)
	if len(out) == 0 {
		return nil, fmt.Errorf("no command specified: the image has no ENTRYPOINT or CMD: %w", errdefs.ErrInvalidArgument)
	}
	if o.Init {
		out = append([]string{InitPath, "--"}, out...)
	}
	return out, nil
}

// environment is the process environment: PATH (when neither image nor
// user set one), HOSTNAME, TERM for a tty, HOME from the user's passwd
// entry, then the image's ENV overridden by the user's -e.
func environment(img ocispec.ImageConfig, o Options, hostname, home string) []string {
	env := []string{"PATH=" + DefaultPath, "HOSTNAME=" + hostname}
	if o.Tty {
		env = append(env, "TERM=xterm")
	}
	env = mergeEnv(env, img.Env)
	env = mergeEnv(env, o.Env)
	if home != "" && !hasEnv(env, "HOME") {
		env = append(env, "HOME="+home)
	}
	return env
}

// mergeEnv replaces or appends each KEY=VALUE of over in base; a bare KEY
// removes the variable.
func mergeEnv(base, over []string) []string {
	out := append([]string{}, base...)
	for _, kv := range over {
		key, _, hasValue := strings.Cut(kv, "=")
		i := indexEnv(out, key)
		switch {
		case !hasValue && i >= 0:
			out = append(out[:i], out[i+1:]...)
		case !hasValue:
		case i >= 0:
			out[i] = kv
		default:
			out = append(out, kv)
		}
	}
	return out
}

func indexEnv(env []string, key string) int {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return i
		}
	}
	return -1
}

func hasEnv(env []string, key string) bool { return indexEnv(env, key) >= 0 }

// workingDir is -w, else the image's WORKDIR, else "/"; relative paths are
// refused as Docker refuses them.
func workingDir(img ocispec.ImageConfig, o Options) (string, error) {
	wd := o.WorkingDir
	if wd == "" {
		wd = img.WorkingDir
	}
	if wd == "" {
		return "/", nil
	}
	if !path.IsAbs(wd) {
		return "", fmt.Errorf("working directory %q is invalid, it needs to be an absolute path: %w", wd, errdefs.ErrInvalidArgument)
	}
	return path.Clean(wd), nil
}
