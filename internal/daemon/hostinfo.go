package daemon

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/berthproject/berth/internal/api"
	"golang.org/x/sys/unix"
)

// detectHost gathers the facts /info reports.
func detectHost(root string, debug bool) (api.HostInfo, error) {
	id, err := engineID(root)
	if err != nil {
		return api.HostInfo{}, err
	}
	h := api.HostInfo{
		ID:              id,
		RootDir:         root,
		StorageDriver:   "overlay2",
		CgroupDriver:    "cgroupfs",
		CgroupVersion:   cgroupVersion("/sys/fs/cgroup"),
		NCPU:            runtime.NumCPU(),
		Debug:           debug,
		SecurityOptions: []string{"name=seccomp,profile=builtin"},
	}
	h.Name, _ = os.Hostname()
	var uts unix.Utsname
	if err := unix.Uname(&uts); err == nil {
		h.KernelVersion = unix.ByteSliceToString(uts.Release[:])
	}
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err == nil {
		h.MemTotal = int64(si.Totalram) * int64(si.Unit)
	}
	h.OperatingSystem, h.OSVersion = osRelease("/etc/os-release")
	return h, nil
}

// cgroupVersion is "2" when mnt is a pure cgroup2 mount, else "1" (v1 or
// hybrid, where cgroup2 sits at mnt/unified with few controllers).
func cgroupVersion(mnt string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(mnt, &st); err == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		return "2"
	}
	return "1"
}

// osRelease returns PRETTY_NAME and VERSION_ID from an os-release file.
func osRelease(path string) (name, version string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "Linux", ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "PRETTY_NAME":
			name = v
		case "VERSION_ID":
			version = v
		}
	}
	if name == "" {
		name = "Linux"
	}
	return name, version
}

// engineID returns the daemon's ID, made once per root and kept in
// <root>/engine-id so it survives restarts.
func engineID(root string) (string, error) {
	path := filepath.Join(root, "engine-id")
	if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
		return string(bytes.TrimSpace(b)), nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read engine id: %w", err)
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("make engine id: %w", err)
	}
	h := hex.EncodeToString(raw[:])
	id := fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(id+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("write engine id: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("write engine id: %w", err)
	}
	return id, nil
}
