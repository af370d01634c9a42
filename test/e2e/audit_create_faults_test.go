package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// auditDirNames lists the names in dir (none when it does not exist).
func auditDirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// auditTmpfs mounts a tmpfs of size bytes on dir (created), unmounted
// when the test ends.
func auditTmpfs(t *testing.T, dir string, opts string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Fatalf("mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
}

// A create whose image does not fit on the daemon's disk fails with a
// clear error and leaves no container and no snapshot behind; once space
// is back, the same create works.
func TestAuditCreateDiskFull(t *testing.T) {
	needDocker(t)
	needRoot(t)
	d := newDaemonDirs(t)
	auditTmpfs(t, d.root, "size=48m")
	d.start(t)
	importBusybox(t, d, "busybox:latest", "-c", `CMD ["sh"]`)
	t.Cleanup(func() { removeAllContainers(t, d) })

	snaps := filepath.Join(d.root, "snapshots", "snapshots")
	before := auditDirNames(t, snaps)
	// Fill the disk to leave less than the image's unpacked size.
	var st unix.Statfs_t
	if err := unix.Statfs(d.root, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * st.Bsize
	filler := filepath.Join(d.root, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Fallocate(int(f.Fd()), 0, 0, free-256<<10); err != nil {
		f.Close()
		t.Fatalf("fallocate %d bytes: %v", free-256<<10, err)
	}
	f.Close()

	r := d.docker(t, nil, "create", "--name", "nofit", "busybox", "true")
	if r.code == 0 || !strings.Contains(r.stderr, "no space left on device") {
		t.Errorf("create on a full disk: %s", r)
	}
	if got := d.mustDocker(t, "ps", "-aq"); got != "" {
		t.Errorf("ps -a after the failed create: %q", got)
	}
	if after := auditDirNames(t, snaps); !slices.Equal(before, after) {
		t.Errorf("snapshots after the failed create: %v, before: %v", after, before)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	// The name was freed and nothing half-made blocks the next try.
	if got := d.mustDocker(t, "run", "--name", "nofit", "busybox", "echo", "fits"); got != "fits" {
		t.Errorf("run after space came back: %q", got)
	}
}
