package container

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/archive"
	"github.com/berthproject/berth/internal/snapshot"
	"github.com/containerd/errdefs"
	securejoin "github.com/cyphar/filepath-securejoin"
	containertypes "github.com/moby/moby/api/types/container"
)

// withRootfs calls fn with a host path of the container's root: the
// running container's own view (/proc/PID/root, volumes included), or its
// writable layer mounted for the call while it is stopped.
func (s *Service) withRootfs(ctx context.Context, ref string, fn func(root string, c Container) error) error {
	return s.withRoot(ctx, ref, true, fn)
}

// withLayers is withRootfs without the running container's mounts (its
// image and writable layer only), for export.
func (s *Service) withLayers(ctx context.Context, ref string, fn func(root string, c Container) error) error {
	return s.withRoot(ctx, ref, false, fn)
}

func (s *Service) withRoot(ctx context.Context, ref string, live bool, fn func(root string, c Container) error) error {
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	e.op.Lock()
	defer e.op.Unlock()
	c := s.record(e)
	if c.State.running() && c.State.Pid > 0 {
		if !live {
			return fn(s.rootfs(c.ID), c)
		}
		// The trailing slash makes walkers enter the magic link.
		return fn("/proc/"+strconv.Itoa(c.State.Pid)+"/root/", c)
	}
	mounts, err := s.cfg.Snapshots.Mounts(ctx, c.ID)
	if err != nil {
		return err
	}
	// A container never started has no bundle yet.
	if err := os.MkdirAll(s.bundle(c.ID), 0o710); err != nil {
		return fmt.Errorf("mount the container's root: %w", err)
	}
	dir, err := os.MkdirTemp(s.bundle(c.ID), "mnt-")
	if err != nil {
		return fmt.Errorf("mount the container's root: %w", err)
	}
	defer os.Remove(dir)
	if err := snapshot.MountAll(ctx, mounts, dir); err != nil {
		return err
	}
	defer func() { _ = snapshot.Unmount(context.WithoutCancel(ctx), dir) }()
	return fn(dir, c)
}

// Export writes the container's whole filesystem as a tar (docker export).
func (s *Service) Export(ctx context.Context, ref string, w io.Writer) error {
	return s.withLayers(ctx, ref, func(root string, _ Container) error { return archive.Tar(ctx, root, w) })
}

// ArchiveStat describes a path in the container (HEAD …/archive); the
// final element is not followed, as Docker's.
func (s *Service) ArchiveStat(ctx context.Context, ref, p string) (containertypes.PathStat, error) {
	var st containertypes.PathStat
	err := s.withRootfs(ctx, ref, func(root string, _ Container) error {
		var err error
		st, err = statIn(root, p)
		return fileNotFound(err, ref, p)
	})
	return st, err
}

// fileNotFound words a missing path as Docker's daemon does ("Could not
// find the file /x in container web", HTTP 404), naming the container as
// the client did; other errors pass unchanged. Only errors of the path
// reach it: the container's own lookup fails before.
func fileNotFound(err error, ref, p string) error {
	if err == nil || !errdefs.IsNotFound(err) {
		return err
	}
	return errdefs.ErrNotFound.WithMessage(fmt.Sprintf("Could not find the file %s in container %s", p, ref))
}

func statIn(root, p string) (containertypes.PathStat, error) {
	clean := path.Clean("/" + p)
	parent, err := securejoin.SecureJoin(root, path.Dir(clean))
	if err != nil {
		return containertypes.PathStat{}, err
	}
	host := parent + "/" + path.Base(clean)
	if clean == "/" {
		host = parent
	}
	fi, err := os.Lstat(host)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return containertypes.PathStat{}, fmt.Errorf("%v: %w", err, errdefs.ErrNotFound)
		}
		return containertypes.PathStat{}, err
	}
	st := containertypes.PathStat{Name: path.Base(clean), Size: fi.Size(), Mode: fi.Mode(), Mtime: fi.ModTime()}
	if fi.Mode()&os.ModeSymlink != 0 {
		st.LinkTarget, _ = os.Readlink(host)
	}
	return st, nil
}

// ArchiveGet writes path p of the container as a tar (docker cp CTR:p).
func (s *Service) ArchiveGet(ctx context.Context, ref, p string, w io.Writer, stat func(containertypes.PathStat)) error {
	return s.withRootfs(ctx, ref, func(root string, _ Container) error {
		st, err := statIn(root, p)
		if err != nil {
			return fileNotFound(err, ref, p)
		}
		stat(st)
		return archive.CopyOut(ctx, root, p, w)
	})
}

// ArchivePut unpacks a tar into directory p of the container (docker cp - CTR:p).
func (s *Service) ArchivePut(ctx context.Context, ref, p string, r io.Reader) error {
	return s.withRootfs(ctx, ref, func(root string, c Container) error {
		if c.HostConfig.ReadonlyRootfs {
			// Docker's daemon calls this an invalid parameter (HTTP 400).
			return errdefs.ErrInvalidArgument.WithMessage("container rootfs is marked read-only")
		}
		return fileNotFound(archive.CopyIn(ctx, root, p, r), ref, p)
	})
}

// Changes lists what the container changed in its image's filesystem.
func (s *Service) Changes(ctx context.Context, ref string) ([]containertypes.FilesystemChange, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	info, err := s.cfg.Snapshots.Stat(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var lower string
	if info.Parent != "" {
		mounts, err := s.cfg.Snapshots.Mounts(ctx, info.Parent)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(s.bundle(c.ID), 0o710); err != nil {
			return nil, err
		}
		dir, err := os.MkdirTemp(s.bundle(c.ID), "lower-")
		if err != nil {
			return nil, err
		}
		defer os.Remove(dir)
		if err := snapshot.MountAll(ctx, mounts, dir); err != nil {
			return nil, err
		}
		defer func() { _ = snapshot.Unmount(context.WithoutCancel(ctx), dir) }()
		lower = dir
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(s.cfg.Snapshots.Diff(ctx, c.ID, pw)) }()
	defer pr.Close()
	out := []containertypes.FilesystemChange{}
	tr := tar.NewReader(pr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("diff of %s: %w", c.ID[:12], err)
		}
		name := "/" + strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		dir, base := path.Split(name)
		switch {
		case base == ".wh..wh..opq":
			continue
		case strings.HasPrefix(base, ".wh."):
			out = append(out, containertypes.FilesystemChange{Kind: containertypes.ChangeDelete, Path: path.Join(dir, strings.TrimPrefix(base, ".wh."))})
		default:
			kind := containertypes.ChangeAdd
			if lower != "" {
				if p, err := securejoin.SecureJoin(lower, name); err == nil {
					if _, err := os.Lstat(p); err == nil {
						kind = containertypes.ChangeModify
					}
				}
			}
			out = append(out, containertypes.FilesystemChange{Kind: kind, Path: name})
		}
	}
	return hideMountpoints(out), nil
}

// runtimePaths are made in the writable layer by the runtime as mount
// points; Docker keeps them in an init layer, so its diff never shows them.
var runtimePaths = map[string]bool{"/dev": true, "/proc": true, "/sys": true, "/etc/hostname": true, "/etc/hosts": true, "/etc/resolv.conf": true}

// hideMountpoints drops the runtime's mount points from a change list, and
// the directories that changed only because of them.
func hideMountpoints(in []containertypes.FilesystemChange) []containertypes.FilesystemChange {
	var kept []containertypes.FilesystemChange
	for _, ch := range in {
		if !runtimePaths[ch.Path] && !strings.HasPrefix(ch.Path, "/dev/") {
			kept = append(kept, ch)
		}
	}
	out := []containertypes.FilesystemChange{}
	for _, ch := range kept {
		if ch.Kind == containertypes.ChangeModify {
			hidden := false
			for p := range runtimePaths {
				if path.Dir(p) == ch.Path {
					hidden = true
				}
			}
			if hidden && !slices.ContainsFunc(kept, func(o containertypes.FilesystemChange) bool {
				return strings.HasPrefix(o.Path, ch.Path+"/")
			}) {
				continue
			}
		}
		out = append(out, ch)
	}
	return out
}

// now is the clock of commit times.
var now = func() time.Time { return time.Now().UTC() }
