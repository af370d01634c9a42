package runtime

import (
	"context"
	"path/filepath"

	"fmt"
	"github.com/moby/sys/mountinfo"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setupRootfs prepares the container's filesystem view inside its new mount
// namespace and switches into it. It runs in the init; a failure kills the
// init and with it every mount made here.
func setupRootfs(cfg *initConfig, hookState *specs.State) error {
	spec, rootfs := cfg.Spec, cfg.Rootfs
	prop := uintptr(unix.MS_SLAVE | unix.MS_REC)
	if p := spec.Linux.RootfsPropagation; p != "" {
		f, ok := propagationFlags[p]
		if !ok {
			return fmt.Errorf("rootfsPropagation %q is not a propagation mode", p)
		}
		prop = f
	}
	// Nothing mounted for the container may propagate back to the host.
	if err := unix.Mount("", "/", "", prop, ""); err != nil {
		return fmt.Errorf("set / propagation: %w", err)
	}
	if prop&unix.MS_SHARED != 0 && !cfg.NoPivot {
		// pivot_root refuses shared parents of the new and the old root;
		// the rootfs bind below then starts private too.
		if err := makeParentPrivate(rootfs); err != nil {
			return err
		}
		if err := unix.Mount("", "/", "", unix.MS_PRIVATE, ""); err != nil {
			return fmt.Errorf("make / private for pivot_root: %w", err)
		}
	}
	// pivot_root needs the new root to be a mount point.
	if err := unix.Mount(rootfs, rootfs, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind rootfs %s: %w", rootfs, err)
	}
	for i, m := range spec.Mounts {
		if m.Type == "cgroup" || m.Type == "cgroup2" {
			if err := cfg.waitCgroup(); err != nil {
				return err
			}
		}
		srcFd := -1
		if i < len(cfg.MountFds) {
			srcFd = cfg.MountFds[i]
		}
		if err := mountEntry(rootfs, m, srcFd); err != nil {
			return err
		}
	}
	if err := setupDev(rootfs, spec, inUserNS(spec)); err != nil {
		return err
	}
	if spec.Hooks != nil {
		if err := runHooks(context.Background(), "createContainer", spec.Hooks.CreateContainer, hookState); err != nil {
			return err
		}
	}
	// Hooks and the pivot see the container in its cgroup.
	if err := cfg.waitCgroup(); err != nil {
		return err
	}
	var err error
	if cfg.NoPivot {
		err = moveRoot(rootfs)
	} else {
		err = pivotRoot(rootfs)
	}
	if err != nil {
		return err
	}
	// Sysctls go through /proc/sys, before readonlyPaths covers it.
	for k, v := range spec.Linux.Sysctl {
		if err := writeSysctl(k, v); err != nil {
			return err
		}
	}
	for _, p := range spec.Linux.ReadonlyPaths {
		if err := readonlyPath(p); err != nil {
			return err
		}
	}
	for _, p := range spec.Linux.MaskedPaths {
		if err := maskPath(p); err != nil {
			return err
		}
	}
	if spec.Root.Readonly {
		if err := remountReadonly("/"); err != nil {
			return fmt.Errorf("make root read-only: %w", err)
		}
	}
	return nil
}

func inUserNS(spec *specs.Spec) bool { return hasNamespace(spec, specs.UserNamespace) }

func pivotRoot(rootfs string) error {
	oldroot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(oldroot)
	if err := unix.Chdir(rootfs); err != nil {
		return fmt.Errorf("chdir %s: %w", rootfs, err)
	}
	// pivot_root(".", ".") stacks the old root on top of the new one; it
	// is then unmounted from under us without needing a directory for it.
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root %s: %w", rootfs, err)
	}
	if err := unix.Fchdir(oldroot); err != nil {
		return err
	}
	if err := unix.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("make old root rslave: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("unmount old root: %w", err)
	}
	// CVE-2024-21626: never leave the cwd on the host's filesystem.
	return unix.Chdir("/")
}

// moveRoot is --no-pivot: chroot cannot drop the host's mounts, but works on
// a ramfs root where pivot_root cannot.
func moveRoot(rootfs string) error {
	if err := unix.Chdir(rootfs); err != nil {
		return err
	}
	if err := unix.Mount(rootfs, "/", "", unix.MS_MOVE, ""); err != nil {
		return fmt.Errorf("move rootfs to /: %w", err)
	}
	if err := unix.Chroot("."); err != nil {
		return fmt.Errorf("chroot: %w", err)
	}
	return unix.Chdir("/")
}

func maskPath(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return nil // nothing to hide
	}
	if st.IsDir() {
		err = unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY, "")
	} else {
		err = unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
	}
	if err != nil {
		return fmt.Errorf("mask %s: %w", p, err)
	}
	return nil
}

func readonlyPath(p string) error {
	if _, err := os.Stat(p); err != nil {
		return nil
	}
	if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", p, err)
	}
	if err := remountReadonly(p); err != nil {
		return fmt.Errorf("make %s read-only: %w", p, err)
	}
	return nil
}

// remountReadonly keeps the mount's locked flags (nosuid, nodev, noexec),
// which a remount inside a user namespace may not clear.
func remountReadonly(p string) error {
	var sfs unix.Statfs_t
	if err := unix.Statfs(p, &sfs); err != nil {
		return err
	}
	keep := uintptr(sfs.Flags) & (unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_NOATIME | unix.MS_RELATIME | unix.MS_NODIRATIME)
	return unix.Mount("", p, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|keep, "")
}

// makeParentPrivate makes the mount holding rootfs's parent directory
// private (in the container's mount namespace only).
func makeParentPrivate(rootfs string) error {
	mounts, err := mountinfo.GetMounts(mountinfo.ParentsFilter(filepath.Dir(rootfs)))
	if err != nil {
		return err
	}
	best := ""
	for _, m := range mounts {
		if len(m.Mountpoint) > len(best) {
			best = m.Mountpoint
		}
	}
	if best == "" {
		return nil
	}
	if err := unix.Mount("", best, "", unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make %s private for pivot_root: %w", best, err)
	}
	return nil
}
