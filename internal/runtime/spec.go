package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// validID is [A-Za-z0-9_+.-]+, checked by hand: a regexp compiled at
// package init costs every process that embeds the runtime, the container
// init included.
func validID(id string) bool {
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '+' || c == '-' || c == '.'
		if !ok {
			return false
		}
	}
	return id != ""
}

func checkID(id string) error {
	if id == "" || id == "." || id == ".." || !validID(id) || len(id) > 1024 {
		return fmt.Errorf("container id %q: must match [A-Za-z0-9_+.-]+: %w", id, errdefs.ErrInvalidArgument)
	}
	return nil
}

// nsFlags maps the spec's namespace types to clone flags; anything else in
// config.json is an error, not something to ignore.
var nsFlags = map[specs.LinuxNamespaceType]uintptr{
	specs.PIDNamespace:     unix.CLONE_NEWPID,
	specs.NetworkNamespace: unix.CLONE_NEWNET,
	specs.MountNamespace:   unix.CLONE_NEWNS,
	specs.IPCNamespace:     unix.CLONE_NEWIPC,
	specs.UTSNamespace:     unix.CLONE_NEWUTS,
	specs.UserNamespace:    unix.CLONE_NEWUSER,
	specs.CgroupNamespace:  unix.CLONE_NEWCGROUP,
	specs.TimeNamespace:    unix.CLONE_NEWTIME,
}

// procNsName is the entry under /proc/<pid>/ns/ for each namespace type.
var procNsName = map[specs.LinuxNamespaceType]string{
	specs.PIDNamespace:     "pid",
	specs.NetworkNamespace: "net",
	specs.MountNamespace:   "mnt",
	specs.IPCNamespace:     "ipc",
	specs.UTSNamespace:     "uts",
	specs.UserNamespace:    "user",
	specs.CgroupNamespace:  "cgroup",
	specs.TimeNamespace:    "time",
}

// loadSpec reads and validates bundle/config.json; it returns the spec and
// the absolute rootfs path.
func loadSpec(bundle string) (*specs.Spec, string, error) {
	path := filepath.Join(bundle, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", fmt.Errorf("bundle %s: no config.json: %w", bundle, errdefs.ErrNotFound)
		}
		return nil, "", fmt.Errorf("read %s: %w", path, err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, "", fmt.Errorf("parse %s: %v: %w", path, err, errdefs.ErrInvalidArgument)
	}
	rootfs, err := validateSpec(bundle, &spec)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return &spec, rootfs, nil
}

func validateSpec(bundle string, spec *specs.Spec) (string, error) {
	if spec.Root == nil || spec.Root.Path == "" {
		return "", fmt.Errorf("root.path is not set: %w", errdefs.ErrInvalidArgument)
	}
	if spec.Process == nil || len(spec.Process.Args) == 0 {
		return "", fmt.Errorf("process.args is empty: %w", errdefs.ErrInvalidArgument)
	}
	if spec.Linux == nil {
		return "", fmt.Errorf("the linux section is missing: %w", errdefs.ErrInvalidArgument)
	}
	rootfs := spec.Root.Path
	if !filepath.IsAbs(rootfs) {
		rootfs = filepath.Join(bundle, rootfs)
	}
	rootfs, err := filepath.Abs(rootfs)
	if err != nil {
		return "", fmt.Errorf("root.path %q: %w", spec.Root.Path, err)
	}
	if st, err := os.Stat(rootfs); err != nil || !st.IsDir() {
		return "", fmt.Errorf("rootfs %s does not exist or is not a directory: %w", rootfs, errdefs.ErrNotFound)
	}
	seen := map[specs.LinuxNamespaceType]bool{}
	hasMount := false
	for _, ns := range spec.Linux.Namespaces {
		if _, ok := nsFlags[ns.Type]; !ok {
			return "", fmt.Errorf("unknown namespace type %q: %w", ns.Type, errdefs.ErrInvalidArgument)
		}
		if seen[ns.Type] {
			return "", fmt.Errorf("namespace %q listed twice: %w", ns.Type, errdefs.ErrInvalidArgument)
		}
		seen[ns.Type] = true
		if ns.Type == specs.MountNamespace {
			hasMount = true
		}
		if strings.Contains(ns.Path, ":") {
			return "", fmt.Errorf("namespace %s path %q: a ':' is not supported: %w", ns.Type, ns.Path, errdefs.ErrInvalidArgument)
		}
		if ns.Path != "" {
			if _, err := os.Stat(ns.Path); err != nil {
				return "", fmt.Errorf("namespace %s path %s: %w", ns.Type, ns.Path, errdefs.ErrNotFound)
			}
		}
	}
	if !hasMount {
		return "", fmt.Errorf("a mount namespace is required: %w", errdefs.ErrInvalidArgument)
	}
	if seen[specs.UserNamespace] && userNSPath(spec) == "" && len(spec.Linux.UIDMappings) == 0 {
		return "", fmt.Errorf("a new user namespace needs linux.uidMappings: %w", errdefs.ErrInvalidArgument)
	}
	return rootfs, nil
}

func userNSPath(spec *specs.Spec) string {
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.UserNamespace {
			return ns.Path
		}
	}
	return ""
}

func hasNamespace(spec *specs.Spec, t specs.LinuxNamespaceType) bool {
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}
