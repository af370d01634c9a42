package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/berthproject/berth/internal/oci"
	"github.com/containerd/errdefs"
	containertypes "github.com/moby/moby/api/types/container"
	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Sharing an IPC namespace is sharing POSIX shared memory too, and that
// lives in /dev/shm. As Docker does, a --ipc shareable container gets its
// /dev/shm from a tmpfs the daemon mounts on the host (in the bundle), and
// --ipc container:X containers bind-mount that same tmpfs. (A mount inside
// the owner's mount namespace cannot be bind-mounted from another one.)

// shmDir is the host mount point of a shareable container's /dev/shm.
func (s *Service) shmDir(id string) string { return filepath.Join(s.bundle(id), "shm") }

// mountShm mounts a shareable container's /dev/shm tmpfs on the host,
// unless it is already there (a restart, a daemon that came back).
func (s *Service) mountShm(c *Container) error {
	if c.HostConfig.IpcMode != containertypes.IPCModeShareable {
		return nil
	}
	dir := s.shmDir(c.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("shm of %s: %w", c.ID[:12], err)
	}
	if mounted, err := mountinfo.Mounted(dir); err == nil && mounted {
		return nil
	}
	size := c.HostConfig.ShmSize
	if size <= 0 {
		size = oci.DefaultShmSize
	}
	data := "mode=1777,size=" + strconv.FormatInt(size, 10)
	if err := unix.Mount("shm", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, data); err != nil {
		return fmt.Errorf("mount shm of %s on %s: %w", c.ID[:12], dir, err)
	}
	return nil
}

// unmountShm undoes mountShm; containers that joined keep their bind of
// it until they end.
func (s *Service) unmountShm(id string) {
	err := unix.Unmount(s.shmDir(id), unix.MNT_DETACH)
	if err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		s.cfg.Logger.Warn("unmount shm", "id", id, "err", err)
	}
}

// shareShm points the spec's /dev/shm at the shared tmpfs for a
// shareable container and for one joining another's IPC namespace. A
// donor that is neither shareable nor the host's is refused, as by Docker.
func (s *Service) shareShm(c *Container, spec *specs.Spec) error {
	var src string
	mode := c.HostConfig.IpcMode
	switch {
	case mode == containertypes.IPCModeShareable:
		src = s.shmDir(c.ID)
	case strings.HasPrefix(string(mode), "container:"):
		ref := strings.TrimPrefix(string(mode), "container:")
		e, err := s.lookup(ref)
		if err != nil {
			return fmt.Errorf("join ipc namespace of %s: %w", mode, err)
		}
		donor := s.record(e)
		switch donor.HostConfig.IpcMode {
		case containertypes.IPCModeShareable:
			src = s.shmDir(donor.ID)
		case containertypes.IPCModeHost:
			src = "/dev/shm"
		default:
			return fmt.Errorf("cannot join IPC of container %s: non-shareable IPC (hint: use IpcMode:shareable for the donor container): %w", ref, errdefs.ErrInvalidArgument)
		}
	default:
		return nil
	}
	for i, m := range spec.Mounts {
		// Only Docker's default tmpfs: a user's own mount on /dev/shm wins.
		if m.Destination == "/dev/shm" && m.Type == "tmpfs" && m.Source == "shm" {
			spec.Mounts[i] = specs.Mount{Destination: "/dev/shm", Type: "bind", Source: src, Options: []string{"rbind", "nosuid", "noexec", "nodev"}}
		}
	}
	return nil
}
