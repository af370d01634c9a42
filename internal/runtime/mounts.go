package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// mountEntry performs one of the spec's mounts under rootfs. The destination
// is resolved inside rootfs (a symlink in the image cannot point a mount at
// the host), and is created if missing. srcFd >= 0 is the bind source opened
// by the parent (see bindSourceFds).
func mountEntry(rootfs string, m specs.Mount, srcFd int) error {
	dest, err := securejoin.SecureJoin(rootfs, m.Destination)
	if err != nil {
		return fmt.Errorf("mount %s: resolve destination: %w", m.Destination, err)
	}
	flags, propagation, data := parseMountOptions(m.Options)
	isBind := flags&unix.MS_BIND != 0 || m.Type == "bind"
	if isBind {
		flags |= unix.MS_BIND
	}
	source := m.Source
	if isBind && srcFd >= 0 {
		// Only for the file-or-directory check: the fd is reachable.
		source = "/proc/self/fd/" + strconv.Itoa(srcFd)
	}
	if err := makeMountpoint(dest, source, isBind); err != nil {
		return fmt.Errorf("mount %s: %w", m.Destination, err)
	}
	switch {
	case isBind && srcFd >= 0:
		err = moveTree(srcFd, dest, flags)
	case isBind:
		err = bindMount(m.Source, dest, flags)
	case m.Type == "cgroup" || m.Type == "cgroup2":
		err = mountCgroup(dest, flags)
	default:
		err = unix.Mount(sourceOr(m.Source, m.Type), dest, m.Type, flags, data)
	}
	if err != nil {
		return fmt.Errorf("mount %s on %s (type %q): %w", m.Source, m.Destination, m.Type, err)
	}
	for _, p := range propagation {
		if err := unix.Mount("", dest, "", p, ""); err != nil {
			return fmt.Errorf("set propagation of %s: %w", m.Destination, err)
		}
	}
	return nil
}

func sourceOr(src, typ string) string {
	if src == "" {
		return typ
	}
	return src
}

// makeMountpoint creates dest as a file when a file is bind-mounted on it,
// as a directory otherwise.
func makeMountpoint(dest, source string, isBind bool) error {
	if _, err := os.Lstat(dest); err == nil {
		return nil
	}
	if isBind {
		st, err := os.Stat(source)
		if err != nil {
			return fmt.Errorf("bind source: %w", err)
		}
		if !st.IsDir() {
			if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(dest, os.O_CREATE|os.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
			if err != nil {
				return err
			}
			return f.Close()
		}
	}
	return os.MkdirAll(dest, 0o755)
}

// bindMount binds, then remounts for the flags a bind ignores (ro, nosuid…).
func bindMount(src, dest string, flags uintptr) error {
	if err := unix.Mount(src, dest, "", unix.MS_BIND|(flags&unix.MS_REC), ""); err != nil {
		return err
	}
	return remountBind(dest, flags)
}

// remountBind applies to a bind mount the flags that bind itself ignores,
// keeping the ones a user namespace may not clear.
func remountBind(dest string, flags uintptr) error {
	rest := flags &^ (unix.MS_BIND | unix.MS_REC | unix.MS_REMOUNT)
	if rest == 0 {
		return nil
	}
	var sfs unix.Statfs_t
	if err := unix.Statfs(dest, &sfs); err != nil {
		return err
	}
	keep := uintptr(sfs.Flags) & (unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC)
	return unix.Mount("", dest, "", unix.MS_BIND|unix.MS_REMOUNT|rest|keep, "")
}

// mountOrBind mounts a fresh filesystem, or where a user namespace may not
// (cgroup v1; cgroup2 without a cgroup namespace) binds the host's mount of
// it, which the init can still see before it pivots.
func mountOrBind(source, hostPath, dest, fstype string, flags uintptr, data string) error {
	err := unix.Mount(source, dest, fstype, flags, data)
	if err == unix.EPERM {
		return bindMount(hostPath, dest, flags|unix.MS_BIND)
	}
	return err
}

// moveTree attaches a detached mount tree (from open_tree in the parent) at
// dest, then applies the flags a bind ignores.
func moveTree(fd int, dest string, flags uintptr) error {
	if err := unix.MoveMount(fd, "", unix.AT_FDCWD, dest, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return err
	}
	return remountBind(dest, flags)
}

// mountCgroup gives the container the host's cgroup layout: cgroup2 on a
// unified host; on v1 and hybrid hosts a tmpfs holding one mount per
// hierarchy, with the host's controller symlinks. Inside a cgroup namespace
// each hierarchy shows the namespace's root.
func mountCgroup(dest string, flags uintptr) error {
	var sfs unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &sfs); err != nil {
		return err
	}
	if sfs.Type == unix.CGROUP2_SUPER_MAGIC {
		return mountOrBind("cgroup2", "/sys/fs/cgroup", dest, "cgroup2", flags, "")
	}
	if err := unix.Mount("tmpfs", dest, "tmpfs", flags&^unix.MS_RDONLY, "mode=755"); err != nil {
		return err
	}
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter("/sys/fs/cgroup"))
	if err != nil {
		return err
	}
	for _, mi := range mounts {
		if filepath.Dir(mi.Mountpoint) != "/sys/fs/cgroup" || (mi.FSType != "cgroup" && mi.FSType != "cgroup2") {
			continue
		}
		sub := filepath.Join(dest, filepath.Base(mi.Mountpoint))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		var opts []string
		for _, o := range strings.Split(mi.VFSOptions, ",") {
			if o != "rw" && o != "ro" && mi.FSType == "cgroup" {
				opts = append(opts, o)
			}
		}
		if err := mountOrBind("cgroup", mi.Mountpoint, sub, mi.FSType, flags, strings.Join(opts, ",")); err != nil {
			return fmt.Errorf("cgroup hierarchy %s: %w", mi.Mountpoint, err)
		}
	}
	entries, _ := os.ReadDir("/sys/fs/cgroup")
	for _, e := range entries {
		if e.Type()&os.ModeSymlink == 0 {
			continue
		}
		if target, err := os.Readlink(filepath.Join("/sys/fs/cgroup", e.Name())); err == nil {
			_ = os.Symlink(target, filepath.Join(dest, e.Name()))
		}
	}
	if flags&unix.MS_RDONLY != 0 {
		return unix.Mount("", dest, "", unix.MS_REMOUNT|unix.MS_RDONLY|(flags&^unix.MS_RDONLY), "mode=755")
	}
	return nil
}

// isBindMount tells whether m is a bind mount, by type or by option.
func isBindMount(m specs.Mount) bool {
	flags, _, _ := parseMountOptions(m.Options)
	return m.Type == "bind" || flags&unix.MS_BIND != 0
}
