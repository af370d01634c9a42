package build

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berthproject/berth/internal/image"
	"github.com/berthproject/berth/internal/oci"
	"github.com/containerd/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
)

// runChange is a RUN step: its history entry (and cache key) carries the
// build args in scope as Docker's does ("|2 A=1 B=2 /bin/sh -c make").
func (r *buildRun) runChange(st *stage, c *instructions.RunCommand) (change, error) {
	if len(c.FlagsUsed) > 0 {
		return change{}, locErr(r.df.name, c, fmt.Errorf("RUN --%s needs BuildKit, which berth's builder does not emulate: %w", c.FlagsUsed[0], errdefs.ErrNotImplemented))
	}
	argv, err := st.runArgv(c)
	if err != nil {
		return change{}, locErr(r.df.name, c, err)
	}
	args := st.runArgs()
	createdBy := strings.Join(argv, " ")
	if len(args) > 0 {
		createdBy = fmt.Sprintf("|%d %s %s", len(args), strings.Join(args, " "), createdBy)
	}
	env := slices.Clone(args)
	for k := range predefinedArgs {
		if v, ok := r.buildArg(k); ok {
			env = append(env, k+"="+v)
		}
	}
	img := st.img
	layers := slices.Clone(st.layers)
	return change{createdBy: createdBy, fs: func(ctx context.Context) (*image.BuiltLayer, error) {
		return r.withRW(ctx, layers, func(rootfs string) error {
			return r.runContainer(ctx, rootfs, img, argv, env)
		})
	}}, nil
}

// runArgs are the build args a RUN sees and its history entry names, as
// Docker's classic builder has them: the ARGs with a value, less those an
// ENV of the same name hides, sorted.
func (st *stage) runArgs() []string {
	var out []string
	for _, kv := range st.args {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(st.img.Config.Env, func(e string) bool { ek, _, _ := strings.Cut(e, "="); return ek == k }) {
			out = append(out, kv)
		}
	}
	slices.Sort(out)
	return out
}

// runArgv is the command of a RUN, heredocs included: a lone heredoc is
// the script given to the shell, as BuildKit does.
func (st *stage) runArgv(c *instructions.RunCommand) ([]string, error) {
	if len(c.Files) == 0 {
		return st.commandLine(c.ShellDependantCmdLine), nil
	}
	if len(c.CmdLine) != 1 || !c.PrependShell {
		return nil, fmt.Errorf("a heredoc needs the shell form of RUN")
	}
	script := c.CmdLine[0]
	if h := parser.MustParseHeredoc(script); h != nil {
		script = c.Files[0].Data
	} else {
		for _, f := range c.Files {
			script += "\n" + f.Data + f.Name
		}
	}
	return append(slices.Clone(st.shell()), script), nil
}

// runContainer runs argv in a container on rootfs with the stage's
// config, through berth-runc, and streams its output into the build's.
// Cancelling ctx kills it; no container, process or endpoint outlives
// the call.
func (r *buildRun) runContainer(ctx context.Context, rootfs string, img dockerspec.DockerOCIImage, argv, env []string) error {
	id := randomID()
	fmt.Fprintf(r.out, " ---> Running in %s\n", id[:12])
	rc, err := r.b.runc()
	if err != nil {
		return err
	}
	sn, err := r.network()
	if err != nil {
		return err
	}
	bundle, err := os.MkdirTemp(r.scratch, "bundle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bundle)
	opts := oci.Options{
		Rootfs: rootfs, Entrypoint: []string{}, Cmd: argv, Env: env,
		Hostname: id[:12], Network: sn.ns, CgroupsPath: "/berth-build/" + id[:24],
	}
	if sn.ns.Host {
		opts.HostsPath, opts.ResolvConfPath = "/etc/hosts", "/etc/resolv.conf"
	}
	if sn.bridge != "" {
		release, err := r.attachStep(ctx, sn, id, bundle, &opts)
		if err != nil {
			return err
		}
		// Deferred before the container's removal, so it runs after it.
		defer release()
	}
	spec, err := oci.Generate(ctx, img.Config.ImageConfig, opts)
	if err != nil {
		return err
	}
	// Mount points the runtime creates are not the step's changes.
	defer removeCreated(missingMountpoints(rootfs))
	if err := oci.CreateWorkdir(rootfs, spec); err != nil {
		return err
	}
	b, _ := json.Marshal(spec)
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), b, 0o600); err != nil {
		return err
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	defer pr.Close()
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(r.out, pr)
		close(copied)
	}()
	code, err := rc.run(ctx, id, bundle, pw)
	pw.Close()
	if rerr := rc.remove(context.WithoutCancel(ctx), id); rerr != nil {
		fmt.Fprintf(r.out, "[Warning] remove build container %s: %v\n", id[:12], rerr)
	}
	<-copied
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fmt.Fprintf(r.out, " ---> Removed intermediate container %s\n", id[:12])
	if code != 0 {
		return &exitError{cmd: argv, code: code}
	}
	return nil
}

// exitError is a RUN that failed, worded as Docker's.
type exitError struct {
	cmd  []string
	code int
}

func (e *exitError) Error() string {
	return fmt.Sprintf("The command '%s' returned a non-zero code: %d", strings.Join(e.cmd, " "), e.code)
}
