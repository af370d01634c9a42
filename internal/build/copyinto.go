package build

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/berthproject/berth/internal/archive"
	"github.com/containerd/errdefs"
	securejoin "github.com/cyphar/filepath-securejoin"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/moby/sys/user"
)

// owner is the uid/gid and mode override of copied files.
type owner struct {
	uid, gid int
	mode     int64 // -1: keep the source's
}

// copyInto copies srcs into dest of the root filesystem rootfs, as COPY
// and ADD do: a directory's contents into dest, a file to dest (or into
// it when it is a directory), local tar archives unpacked when extract is
// set. Every write goes through archive.CopyIn, confined to rootfs.
func copyInto(ctx context.Context, rootfs string, srcs []source, dest string, destIsDir bool, spec copySpec) error {
	own, err := parseOwner(rootfs, spec.chown, spec.chmod)
	if err != nil {
		return err
	}
	if !destIsDir {
		if p, err := securejoin.SecureJoin(rootfs, dest); err == nil {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				destIsDir = true
			}
		}
	}
	for _, s := range srcs {
		if spec.extract && !s.isDir {
			if ok, err := extractArchive(ctx, rootfs, s, dest); ok || err != nil {
				return err
			}
		}
		dir, name := dest, s.name
		switch {
		case s.isDir:
			name = ""
		case !destIsDir:
			dir, name = path.Dir(dest), path.Base(dest)
		}
		if err := mkdirOwned(rootfs, dir, own); err != nil {
			return fmt.Errorf("%s: create %s: %w", spec.what, dir, err)
		}
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeSourceTar(pw, s, name, own)) }()
		err := archive.CopyIn(ctx, rootfs, dir, pr)
		pr.CloseWithError(err)
		if err != nil {
			return fmt.Errorf("%s %s: %w", spec.what, s.name, err)
		}
	}
	return nil
}

// writeSourceTar writes a source as a tar whose names are relative to
// the destination directory (name for a file source, the directory's
// entries for a directory source).
func writeSourceTar(w io.Writer, s source, name string, own owner) error {
	tw := tar.NewWriter(w)
	err := walkSource(s, func(rel string, fi fs.FileInfo, host string) error {
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			var err error
			if link, err = os.Readlink(host); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		hdr.Name = rel
		if !s.isDir {
			hdr.Name = name
		}
		if fi.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = own.uid, own.gid, "", ""
		if own.mode >= 0 && fi.Mode()&fs.ModeSymlink == 0 {
			hdr.Mode = hdr.Mode&^0o7777 | own.mode
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeReg {
			f, err := os.Open(host)
			if err != nil {
				return err
			}
			_, err = io.CopyN(tw, f, hdr.Size)
			f.Close()
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// extractArchive unpacks s into dest if it is a tar (plain, gzip or
// zstd), as ADD does with local archives; ok is false for other files.
func extractArchive(ctx context.Context, rootfs string, s source, dest string) (bool, error) {
	f, err := os.Open(s.host)
	if err != nil {
		return false, err
	}
	defer f.Close()
	rc, err := archive.Decompress(f)
	if err != nil {
		return false, nil
	}
	_, terr := tar.NewReader(rc).Next()
	rc.Close()
	if terr != nil {
		return false, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	if err := pathrs.MkdirAll(rootfs, dest, 0o755); err != nil {
		return true, fmt.Errorf("ADD: create %s: %w", dest, err)
	}
	if err := archive.CopyIn(ctx, rootfs, dest, f); err != nil {
		return true, fmt.Errorf("ADD %s: unpack: %w", s.name, err)
	}
	return true, nil
}

// parseOwner resolves --chown (names through the image's /etc/passwd and
// /etc/group) and --chmod (octal).
func parseOwner(rootfs, chown, chmod string) (owner, error) {
	own := owner{mode: -1}
	if chmod != "" {
		m, err := strconv.ParseUint(chmod, 8, 32)
		if err != nil || m > 0o7777 {
			return own, fmt.Errorf("invalid --chmod=%s: use an octal mode such as 0755: %w", chmod, errdefs.ErrInvalidArgument)
		}
		own.mode = int64(m)
	}
	if chown == "" {
		return own, nil
	}
	passwd, _ := securejoin.SecureJoin(rootfs, "/etc/passwd")
	group, _ := securejoin.SecureJoin(rootfs, "/etc/group")
	spec := chown
	if !strings.Contains(spec, ":") {
		// A user alone means its uid and the gid of the same number or
		// name, as Docker resolves --chown=user.
		spec += ":" + chown
	}
	u, err := user.GetExecUserPath(spec, &user.ExecUser{}, passwd, group)
	if err != nil {
		return own, fmt.Errorf("invalid --chown=%s: %v: %w", chown, err, errdefs.ErrInvalidArgument)
	}
	own.uid, own.gid = u.Uid, u.Gid
	return own, nil
}

// mkdirOwned creates dir and its missing parents inside rootfs; the
// directories it creates get the --chown owner, as Docker's.
func mkdirOwned(rootfs, dir string, own owner) error {
	var created []string
	for d := dir; d != "/" && d != "."; d = path.Dir(d) {
		p, err := securejoin.SecureJoin(rootfs, d)
		if err != nil {
			return err
		}
		if _, err := os.Lstat(p); err == nil {
			break
		}
		created = append(created, d)
	}
	if err := pathrs.MkdirAll(rootfs, dir, 0o755); err != nil {
		return err
	}
	if own.uid == 0 && own.gid == 0 {
		return nil
	}
	for _, d := range created {
		p, err := securejoin.SecureJoin(rootfs, d)
		if err != nil {
			return err
		}
		if err := os.Lchown(p, own.uid, own.gid); err != nil {
			return err
		}
	}
	return nil
}
