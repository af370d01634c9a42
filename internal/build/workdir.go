package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/berthproject/berth/internal/image"
	"github.com/containerd/errdefs"
	securejoin "github.com/cyphar/filepath-securejoin"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
)

// workdirMode is the mode of the directories WORKDIR creates, whatever
// the daemon's umask: Docker's (0755, owned by root).
const workdirMode = 0o755

// workdirChange sets the working directory and creates it in the stage's
// filesystem, as Docker's classic builder does ("If the WORKDIR doesn't
// exist, it will be created even if it's not used in any subsequent
// Dockerfile instruction"). The step makes a layer only when it created
// a directory. Its history entry is worded as Docker's: the stage's
// SHELL, then, unlike ENV or LABEL, one space after "#(nop)".
func (r *buildRun) workdirChange(st *stage, c *instructions.WorkdirCommand) change {
	wd := c.Path
	if !path.IsAbs(wd) {
		wd = path.Join("/", st.img.Config.WorkingDir, wd)
	}
	wd = path.Clean(wd)
	layers := slices.Clone(st.layers)
	return change{
		createdBy: nopString(st.shell(), "WORKDIR "+wd),
		config:    func(img *dockerspec.DockerOCIImage) { img.Config.WorkingDir = wd },
		fs: func(ctx context.Context) (*image.BuiltLayer, error) {
			// Docker makes the directory in a container it creates and
			// commits, and says so; the output keeps those lines.
			id := randomID()
			fmt.Fprintf(r.out, " ---> Running in %s\n", id[:12])
			l, err := r.withRW(ctx, layers, func(rootfs string) error { return makeWorkdir(rootfs, wd) })
			if errdefs.IsInvalidArgument(err) {
				return nil, locErr(r.df.name, c, err)
			}
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(r.out, " ---> Removed intermediate container %s\n", id[:12])
			return l, nil
		},
	}
}

// makeWorkdir creates dir and its missing parents in rootfs, owned by
// root (not the stage's USER: Docker's classic builder creates them as
// the daemon) with mode 0755. Symlinks on the way resolve inside rootfs,
// as they would inside the container, and, as in Docker, a dangling one
// is followed: its target is created (inside rootfs). A path component
// that exists and is not a directory is an error naming it.
func makeWorkdir(rootfs, dir string) error {
	resolved, err := securejoin.SecureJoin(rootfs, dir)
	if err != nil {
		return fmt.Errorf("WORKDIR %s: %w", dir, err)
	}
	rel, err := filepath.Rel(rootfs, resolved)
	if err != nil {
		return fmt.Errorf("WORKDIR %s: %w", dir, err)
	}
	target := path.Clean("/" + filepath.ToSlash(rel))
	// The components of target that exist are not symlinks (SecureJoin
	// resolved them), so Lstat and Chmod below stay in rootfs.
	var created []string
	for d := target; d != "/"; d = path.Dir(d) {
		if _, err := os.Lstat(filepath.Join(rootfs, d)); err == nil {
			break
		}
		created = append(created, d)
	}
	if err := pathrs.MkdirAll(rootfs, target, workdirMode); err != nil {
		if bad := notDirectory(rootfs, dir); bad != "" {
			return fmt.Errorf("cannot mkdir: %s is not a directory: %w", bad, errdefs.ErrInvalidArgument)
		}
		return fmt.Errorf("create the working directory %s: %w", dir, err)
	}
	for _, d := range created {
		p := filepath.Join(rootfs, d)
		if err := os.Lchown(p, 0, 0); err != nil {
			return fmt.Errorf("WORKDIR %s: %w", dir, err)
		}
		if err := os.Chmod(p, workdirMode); err != nil {
			return fmt.Errorf("WORKDIR %s: %w", dir, err)
		}
	}
	return nil
}

// notDirectory is the first component of dir (as written) that exists in
// rootfs and is not a directory, or "".
func notDirectory(rootfs, dir string) string {
	var parts []string
	for d := dir; d != "/"; d = path.Dir(d) {
		parts = append(parts, d)
	}
	for _, d := range slices.Backward(parts) {
		p, err := securejoin.SecureJoin(rootfs, d)
		if err != nil {
			return ""
		}
		fi, err := os.Lstat(p)
		if errors.Is(err, os.ErrNotExist) {
			return ""
		}
		if err == nil && !fi.IsDir() {
			return d
		}
	}
	return ""
}
