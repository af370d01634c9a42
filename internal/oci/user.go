package oci

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/containerd/errdefs"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"
)

// resolveUser finds uid, gid, supplementary groups and home of spec
// ("name|uid[:group|gid]", "" for root) in the rootfs's /etc/passwd and
// /etc/group, plus the --group-add groups.
func resolveUser(rootfs, spec string, groupAdd []string) (*user.ExecUser, []uint32, error) {
	passwd, err := openInRootfs(rootfs, "/etc/passwd")
	if err != nil {
		return nil, nil, err
	}
	defer closeFile(passwd)
	group, err := openInRootfs(rootfs, "/etc/group")
	if err != nil {
		return nil, nil, err
	}
	defer closeFile(group)
	defaults := &user.ExecUser{Uid: 0, Gid: 0, Home: "/"}
	eu, err := user.GetExecUser(spec, defaults, reader(passwd), reader(group))
	if err != nil {
		return nil, nil, fmt.Errorf("unable to find user %q: %v: %w", spec, err, errdefs.ErrInvalidArgument)
	}
	gids := make([]uint32, 0, len(eu.Sgids)+len(groupAdd))
	for _, g := range eu.Sgids {
		gids = append(gids, uint32(g))
	}
	if len(groupAdd) > 0 {
		if group != nil {
			if _, err := group.Seek(0, io.SeekStart); err != nil {
				return nil, nil, err
			}
		}
		added, err := user.GetAdditionalGroups(groupAdd, reader(group))
		if err != nil {
			return nil, nil, fmt.Errorf("--group-add %s: %v: %w", strings.Join(groupAdd, ","), err, errdefs.ErrInvalidArgument)
		}
		// GetAdditionalGroups answers in map order: sort, so that the same
		// flags always give the same spec.
		slices.Sort(added)
		for _, g := range added {
			gids = append(gids, uint32(g))
		}
	}
	return eu, gids, nil
}

// openInRootfs opens name for reading as if rootfs were the root: symlinks
// in the image cannot lead outside it. A missing file (or no rootfs) is nil.
func openInRootfs(rootfs, name string) (*os.File, error) {
	if rootfs == "" {
		return nil, nil
	}
	h, err := pathrs.OpenInRoot(rootfs, name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		// A symlink loop or a link that would leave the rootfs: the
		// image's file is unusable, not the host's to read instead.
		return nil, fmt.Errorf("open %s in the container rootfs: %v: %w", name, err, errdefs.ErrInvalidArgument)
	}
	defer h.Close()
	f, err := pathrs.Reopen(h, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("open %s in the container rootfs: %w", name, err)
	}
	return f, nil
}

// reader avoids handing a typed nil *os.File to an io.Reader parameter.
func reader(f *os.File) io.Reader {
	if f == nil {
		return nil
	}
	return f
}

func closeFile(f *os.File) {
	if f != nil {
		f.Close()
	}
}
