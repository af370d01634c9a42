package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	bertharchive "github.com/berthproject/berth/internal/archive"
	"github.com/docker/go-units"
	"github.com/moby/go-archive"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
)

func newCpCommand(g *globalOptions) *cobra.Command {
	var archiveMode, followLink bool
	cmd := &cobra.Command{
		Use:   "cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n  berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
		Short: "Copy files/folders between a container and the local filesystem",
		Long: `Copy a file or directory out of a container or into it, with cp -R's
rules: a directory is copied with its contents; an existing destination
directory receives the source under its own name; "SRC/." copies only a
directory's contents. Paths in the container are resolved inside its
root filesystem and cannot leave it.

"-" as the local path means a tar stream on stdout (copying out) or stdin
(copying in, extracted into the container directory DEST_PATH).`,
		Example: `  berth cp web:/etc/hostname .
  berth cp ./site web:/var/www
  berth cp web:/var/log - | tar -t
  tar -c conf | berth cp - web:/etc`,
		Args:              exactArgs(2),
		ValidArgsFunction: noCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			srcCtr, srcPath := splitCpArg(args[0])
			dstCtr, dstPath := splitCpArg(args[1])
			switch {
			case srcCtr != "" && dstCtr != "":
				return newUsageError(cmd, "copying between containers is not supported")
			case srcCtr == "" && dstCtr == "":
				return newUsageError(cmd, "must specify at least one container source")
			case srcPath == "" || dstPath == "":
				return newUsageError(cmd, "path cannot be empty")
			}
			c, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			if srcCtr != "" {
				return copyFromContainer(cmd, c, srcCtr, srcPath, dstPath, followLink)
			}
			return copyToContainer(cmd, c, srcPath, dstCtr, dstPath, archiveMode, followLink)
		},
	}
	cmd.Flags().BoolVarP(&archiveMode, "archive", "a", false, "archive mode (copy all uid/gid information)")
	cmd.Flags().BoolVarP(&followLink, "follow-link", "L", false, "always follow symbol link in SRC_PATH")
	return cmd
}

// splitCpArg splits CONTAINER:PATH; a local path that holds a colon must
// start with / or . to be read as local, as Docker's.
func splitCpArg(arg string) (ctr, path string) {
	if strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, ".") {
		return "", arg
	}
	ctr, path, ok := strings.Cut(arg, ":")
	if !ok {
		return "", arg
	}
	return ctr, path
}

func copyFromContainer(cmd *cobra.Command, c *client.Client, ctr, src, dst string, followLink bool) error {
	ctx := cmd.Context()
	if dst != "-" {
		// Checked before the daemon is asked, as Docker's CLI does.
		if err := validateOutputPath(dst); err != nil {
			return err
		}
	}
	if followLink {
		// With -L a symlink source is replaced by what it points to.
		if st, err := c.ContainerStatPath(ctx, ctr, client.ContainerStatPathOptions{Path: src}); err == nil && st.Stat.LinkTarget != "" {
			src = st.Stat.LinkTarget
		}
	}
	res, err := c.CopyFromContainer(ctx, ctr, client.CopyFromContainerOptions{SourcePath: src})
	if err != nil {
		return err
	}
	defer res.Content.Close()
	if dst == "-" {
		_, err := io.Copy(cmd.OutOrStdout(), res.Content)
		return err
	}
	srcInfo := archive.CopyInfo{Path: src, Exists: true, IsDir: res.Stat.Mode.IsDir()}
	counter := &bertharchive.CountingReader{R: res.Content} // for Docker's "Successfully copied" line
	// go-archive's own words ("no such directory") are Docker's message.
	if err := archive.CopyTo(counter, srcInfo, dst); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "Successfully copied %s to %s\n", units.HumanSize(float64(counter.N)), dst)
	return nil
}

func copyToContainer(cmd *cobra.Command, c *client.Client, src, ctr, dst string, copyUIDGID, followLink bool) error {
	ctx := cmd.Context()
	dstInfo := archive.CopyInfo{Path: dst}
	if st, err := statInContainer(ctx, c, ctr, dst); err == nil {
		dstInfo.Exists, dstInfo.IsDir = true, st
	}
	if src == "-" {
		// A tar stream from stdin goes into the destination directory as it is.
		if !dstInfo.IsDir {
			return fmt.Errorf("destination \"%s:%s\" must be a directory", ctr, dst)
		}
		_, err := c.CopyToContainer(ctx, ctr, client.CopyToContainerOptions{DestinationPath: dst, Content: cmd.InOrStdin(), CopyUIDGID: copyUIDGID})
		return err
	}
	// The errors below are go-archive's own ("lstat /x: no such file or
	// directory", "no such directory"), which Docker's CLI prints as they are.
	src, err := absLocalPath(src)
	if err != nil {
		return err
	}
	srcInfo, err := archive.CopyInfoSourcePath(src, followLink)
	if err != nil {
		return err
	}
	// go-archive finds these only once it tars the source, and its tar
	// goroutine then logs a broken pipe on stderr: decide them first.
	switch {
	case dstInfo.Exists && !dstInfo.IsDir && srcInfo.IsDir:
		return archive.ErrCannotCopyDir
	case !dstInfo.Exists && !srcInfo.IsDir && (strings.HasSuffix(dst, "/") || path.Base(dst) == "."):
		return archive.ErrDirNotExists
	}
	srcArchive, err := archive.TarResource(srcInfo)
	if err != nil {
		return err
	}
	defer srcArchive.Close()
	dstDir, prepared, err := archive.PrepareArchiveCopy(srcArchive, srcInfo, dstInfo)
	if err != nil {
		return err
	}
	defer prepared.Close()
	counter := &bertharchive.CountingReader{R: prepared}
	if _, err := c.CopyToContainer(ctx, ctr, client.CopyToContainerOptions{DestinationPath: dstDir, Content: counter, CopyUIDGID: copyUIDGID}); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "Successfully copied %s to %s:%s\n", units.HumanSize(float64(counter.N)), ctr, dst)
	return nil
}

// statInContainer tells whether path in the container is a directory,
// following a final symlink once, as Docker's cp does.
func statInContainer(ctx context.Context, c *client.Client, ctr, path string) (isDir bool, err error) {
	st, err := c.ContainerStatPath(ctx, ctr, client.ContainerStatPathOptions{Path: path})
	if err != nil {
		return false, err
	}
	if st.Stat.LinkTarget != "" && st.Stat.LinkTarget != path {
		if t, err := c.ContainerStatPath(ctx, ctr, client.ContainerStatPathOptions{Path: st.Stat.LinkTarget}); err == nil {
			return t.Stat.Mode.IsDir(), nil
		}
	}
	return st.Stat.Mode.IsDir(), nil
}

// absLocalPath makes a local path absolute, keeping a trailing "/" or "/."
// that tells cp to treat it as a directory.
func absLocalPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return archive.PreserveTrailingDotOrSeparator(abs, p), nil
}

// validateOutputPath refuses a local destination whose directory is missing,
// or that exists as something other than a directory or a regular file,
// with Docker's CLI's words.
func validateOutputPath(dst string) error {
	abs, err := absLocalPath(dst)
	if err != nil {
		return err
	}
	if dir := filepath.Dir(filepath.Clean(abs)); dir != "" {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("invalid output path: directory %q does not exist", dir)
		}
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir() || fi.Mode().IsRegular():
		return nil
	}
	return fmt.Errorf("invalid output path: %q must be a directory or a regular file", abs)
}
