package runtime

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// warmCgroupMigration moves the calling process into the cgroup it is
// already in, in the background. Moving a process between cgroups takes a
// global lock whose first taker waits for an RCU grace period (several ms,
// the largest single cost of a container start here); the lock stays cheap
// for about one grace period afterwards. Paying that wait while the spec is
// loaded and the init spawned makes the real move, moments later, cheap.
// The move is a no-op for the cgroup tree; failures are ignored.
func warmCgroupMigration() {
	go func() {
		data, err := os.ReadFile("/proc/self/cgroup")
		if err != nil {
			return
		}
		pid := []byte(strconv.Itoa(os.Getpid()))
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			parts := strings.SplitN(line, ":", 3)
			if len(parts) != 3 {
				continue
			}
			dir := cgroupDir(parts[1], parts[2])
			if dir == "" {
				continue
			}
			if os.WriteFile(filepath.Join(dir, "cgroup.procs"), pid, 0) == nil {
				return
			}
		}
	}()
}

// cgroupDir maps a /proc/self/cgroup entry to its directory.
func cgroupDir(controllers, path string) string {
	if controllers == "" {
		var sfs unix.Statfs_t
		if unix.Statfs("/sys/fs/cgroup", &sfs) == nil && sfs.Type == unix.CGROUP2_SUPER_MAGIC {
			return filepath.Join("/sys/fs/cgroup", path)
		}
		return filepath.Join("/sys/fs/cgroup/unified", path)
	}
	first := strings.Split(controllers, ",")[0]
	first = strings.TrimPrefix(first, "name=")
	return filepath.Join("/sys/fs/cgroup", first, path)
}
