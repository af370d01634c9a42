package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	cg "github.com/opencontainers/cgroups"
	"golang.org/x/sys/unix"
)

// hugetlbOnUnified reports whether hugepage limits must go to the unified
// hierarchy of a hybrid host: systemd leaves controllers that no v1
// hierarchy claims (hugetlb here) to cgroup2, where the v1 manager, which
// only joins the unified cgroup, does not look.
func (m *Manager) hugetlbOnUnified(res *cg.Resources) bool {
	return !m.unified && len(res.HugetlbLimit) > 0 && m.mgr.Path("hugetlb") == "" && m.mgr.Path("") != ""
}

// setUnifiedHugetlb enables hugetlb from the cgroup2 root down to the
// container's parent and writes the limits as fs2 would.
func (m *Manager) setUnifiedHugetlb(limits []*cg.HugepageLimit) error {
	dir := m.mgr.Path("")
	root, err := cgroup2Root(dir)
	if err != nil {
		return err
	}
	avail, err := cg.ReadFile(root, "cgroup.controllers")
	if err != nil {
		return fmt.Errorf("hugepage limits: %w", err)
	}
	if !slices.Contains(strings.Fields(avail), "hugetlb") {
		return fmt.Errorf("hugepage limits: no hugetlb controller in cgroup v1 or v2 on this host: %w", os.ErrNotExist)
	}
	rel, err := filepath.Rel(root, filepath.Dir(dir))
	if err != nil {
		return err
	}
	parent := root
	for _, elem := range append([]string{""}, strings.Split(rel, "/")...) {
		if elem == "." {
			continue
		}
		parent = filepath.Join(parent, elem)
		if err := cg.WriteFile(parent, "cgroup.subtree_control", "+hugetlb"); err != nil {
			return fmt.Errorf("hugepage limits: enable hugetlb in %s: %w", parent, err)
		}
	}
	for _, l := range limits {
		v := strconv.FormatUint(l.Limit, 10)
		if err := cg.WriteFile(dir, "hugetlb."+l.Pagesize+".max", v); err != nil {
			return fmt.Errorf("hugepage limit %s: %w", l.Pagesize, err)
		}
		// Reservation accounting exists from Linux 5.7; the spec prefers it.
		if err := cg.WriteFile(dir, "hugetlb."+l.Pagesize+".rsvd.max", v); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("hugepage reservation limit %s: %w", l.Pagesize, err)
		}
	}
	return nil
}

// cgroup2Root returns the mount point of the cgroup2 hierarchy holding dir:
// its topmost ancestor that is still a cgroup2 filesystem.
func cgroup2Root(dir string) (string, error) {
	root := ""
	for p := filepath.Dir(dir); p != "/"; p = filepath.Dir(p) {
		var st unix.Statfs_t
		if err := unix.Statfs(p, &st); err != nil {
			return "", fmt.Errorf("find cgroup2 root of %s: %w", dir, err)
		}
		if st.Type != unix.CGROUP2_SUPER_MAGIC {
			break
		}
		root = p
	}
	if root == "" {
		return "", fmt.Errorf("%s is not in a cgroup2 hierarchy: %w", dir, os.ErrNotExist)
	}
	return root, nil
}
