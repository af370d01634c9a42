package snapshot

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// Mount is one filesystem to mount, as a snapshotter describes a root.
type Mount struct {
	// Type is "overlay" or "bind".
	Type string
	// Source is the device or directory ("overlay" for overlays).
	Source string
	// Options are mount(8) options: "ro", "rbind", "lowerdir=…", ….
	Options []string
	// Dir, when set, is the directory the relative paths in Options are
	// relative to. Overlay mounts of deep images name their layers that way
	// so the option string stays under the kernel's page-size limit.
	Dir string
}

// MountAll mounts mounts, in order, on target (a directory).
func MountAll(ctx context.Context, mounts []Mount, target string) error {
	for _, m := range mounts {
		if err := m.Mount(ctx, target); err != nil {
			return err
		}
	}
	return nil
}

// Mount mounts m on target.
func (m Mount) Mount(ctx context.Context, target string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch m.Type {
	case "bind":
		return bindMount(m, target)
	case "overlay":
		data := strings.Join(m.Options, ",")
		if m.Dir == "" {
			return mountErr(m, target, unix.Mount("overlay", target, "overlay", 0, data))
		}
		return mountErr(m, target, inDir(m.Dir, func() error {
			return unix.Mount("overlay", target, "overlay", 0, data)
		}))
	}
	return fmt.Errorf("mount type %q not supported", m.Type)
}

func bindMount(m Mount, target string) error {
	flags := uintptr(unix.MS_BIND)
	ro := false
	for _, o := range m.Options {
		switch o {
		case "rbind":
			flags |= unix.MS_REC
		case "ro":
			ro = true
		}
	}
	if err := unix.Mount(m.Source, target, "", flags, ""); err != nil {
		return mountErr(m, target, err)
	}
	if ro {
		if err := unix.Mount("", target, "", flags|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
			unix.Unmount(target, unix.MNT_DETACH)
			return mountErr(m, target, err)
		}
	}
	return nil
}

// inDir runs fn with dir as working directory, on an OS thread that stops
// sharing its working directory with the rest of the process first; the
// thread is thrown away afterwards (the goroutine exits locked).
func inDir(dir string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			errc <- fmt.Errorf("unshare fs: %w", err)
			return
		}
		if err := unix.Chdir(dir); err != nil {
			errc <- fmt.Errorf("chdir %s: %w", dir, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

func mountErr(m Mount, target string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("mount %s on %s (options %s): %w", m.Type, target, strings.Join(m.Options, ","), err)
}

// Unmount unmounts target; a target that is not mounted is not an error.
// A busy mount is detached lazily rather than left in place.
func Unmount(ctx context.Context, target string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := unix.Unmount(target, 0)
	if errors.Is(err, unix.EBUSY) {
		err = unix.Unmount(target, unix.MNT_DETACH)
	}
	if err == nil || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOENT) {
		return nil
	}
	return fmt.Errorf("unmount %s: %w", target, err)
}
