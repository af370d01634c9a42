package runtime

import (
	"fmt"
	"os"
	"path/filepath"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func ptr[T any](v T) *T { return &v }

// defaultDevices are the nodes the spec requires in every container.
var defaultDevices = []specs.LinuxDevice{
	{Path: "/dev/null", Type: "c", Major: 1, Minor: 3, FileMode: ptr(os.FileMode(0o666))},
	{Path: "/dev/zero", Type: "c", Major: 1, Minor: 5, FileMode: ptr(os.FileMode(0o666))},
	{Path: "/dev/full", Type: "c", Major: 1, Minor: 7, FileMode: ptr(os.FileMode(0o666))},
	{Path: "/dev/random", Type: "c", Major: 1, Minor: 8, FileMode: ptr(os.FileMode(0o666))},
	{Path: "/dev/urandom", Type: "c", Major: 1, Minor: 9, FileMode: ptr(os.FileMode(0o666))},
	{Path: "/dev/tty", Type: "c", Major: 5, Minor: 0, FileMode: ptr(os.FileMode(0o666))},
}

var devSymlinks = [][2]string{
	{"/proc/self/fd", "/dev/fd"},
	{"/proc/self/fd/0", "/dev/stdin"},
	{"/proc/self/fd/1", "/dev/stdout"},
	{"/proc/self/fd/2", "/dev/stderr"},
	{"pts/ptmx", "/dev/ptmx"},
}

// setupDev creates the default devices, the spec's linux.devices and the
// standard symlinks. In a user namespace mknod is refused, so the host's
// node is bind-mounted instead.
func setupDev(rootfs string, spec *specs.Spec, userns bool) error {
	devices := append(append([]specs.LinuxDevice{}, defaultDevices...), spec.Linux.Devices...)
	for _, d := range devices {
		if err := createDevice(rootfs, d, userns); err != nil {
			return fmt.Errorf("device %s: %w", d.Path, err)
		}
	}
	for _, l := range devSymlinks {
		dest, err := securejoin.SecureJoin(rootfs, l[1])
		if err != nil {
			return err
		}
		_ = os.Remove(dest) // an image's own /dev/ptmx would be the host's
		if err := os.Symlink(l[0], dest); err != nil && !os.IsExist(err) {
			return fmt.Errorf("symlink %s: %w", l[1], err)
		}
	}
	return nil
}

func createDevice(rootfs string, d specs.LinuxDevice, userns bool) error {
	dest, err := securejoin.SecureJoin(rootfs, d.Path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	if st, err := os.Lstat(dest); err == nil {
		if st.IsDir() {
			return fmt.Errorf("%s is a directory", d.Path)
		}
		if err := os.Remove(dest); err != nil {
			return err
		}
	}
	if userns {
		f, err := os.OpenFile(dest, os.O_CREATE|os.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
		if err != nil {
			return err
		}
		f.Close()
		return unix.Mount(d.Path, dest, "", unix.MS_BIND, "")
	}
	var mode uint32
	switch d.Type {
	case "c", "u":
		mode = unix.S_IFCHR
	case "b":
		mode = unix.S_IFBLK
	case "p":
		mode = unix.S_IFIFO
	default:
		return fmt.Errorf("unknown device type %q", d.Type)
	}
	perm := uint32(0o666)
	if d.FileMode != nil {
		perm = uint32(d.FileMode.Perm())
	}
	if err := unix.Mknod(dest, mode|perm, int(unix.Mkdev(uint32(d.Major), uint32(d.Minor)))); err != nil {
		return err
	}
	uid, gid := -1, -1
	if d.UID != nil {
		uid = int(*d.UID)
	}
	if d.GID != nil {
		gid = int(*d.GID)
	}
	if uid != -1 || gid != -1 {
		return unix.Lchown(dest, uid, gid)
	}
	return nil
}
