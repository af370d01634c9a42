package oci

import (
	"context"
	"fmt"
	"maps"

	"github.com/containerd/errdefs"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// MaskedPaths are hidden from unprivileged containers (bind of /dev/null,
// or an empty read-only tmpfs for directories).
var MaskedPaths = []string{
	"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
}

// ReadonlyPaths are read-only in unprivileged containers.
var ReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}

// Generate builds the runtime spec of a container from its image's config
// and the run options. It reads the rootfs's /etc/passwd and /etc/group
// (confined to the rootfs) when the user is given by name; it writes
// nothing. Bad options are errdefs.ErrInvalidArgument naming the option.
func Generate(ctx context.Context, img ocispec.ImageConfig, o Options) (*specs.Spec, error) {
	argv, err := args(img, o)
	if err != nil {
		return nil, err
	}
	cwd, err := workingDir(img, o)
	if err != nil {
		return nil, err
	}
	userSpec := o.User
	if userSpec == "" {
		userSpec = img.User
	}
	eu, gids, err := resolveUser(o.Rootfs, userSpec, o.GroupAdd)
	if err != nil {
		return nil, err
	}
	caps, err := capabilities(o.Privileged, o.CapAdd, o.CapDrop)
	if err != nil {
		return nil, err
	}
	rlimits, err := processRlimits(o.Ulimits)
	if err != nil {
		return nil, err
	}
	res, err := resources(o.Resources)
	if err != nil {
		return nil, err
	}
	devNodes, devRules, err := devices(o.Devices)
	if err != nil {
		return nil, err
	}
	if err := checkSysctls(o); err != nil {
		return nil, err
	}
	user, err := userMounts(o)
	if err != nil {
		return nil, err
	}
	var initMount *specs.Mount
	if o.Init {
		if o.InitBinary == "" {
			return nil, fmt.Errorf("--init: no init binary configured: %w", errdefs.ErrInvalidArgument)
		}
		initMount = &specs.Mount{Destination: InitPath, Type: "bind", Source: o.InitBinary, Options: []string{"bind", "ro"}}
	}
	hostname := o.Hostname
	if o.UTS.Host {
		hostname = ""
	}

	spec := &specs.Spec{
		Version: specs.Version,
		Process: &specs.Process{
			Terminal: o.Tty,
			User:     specs.User{UID: uint32(eu.Uid), GID: uint32(eu.Gid), AdditionalGids: gids},
			Args:     argv,
			Env:      environment(img, o, o.Hostname, eu.Home),
			Cwd:      cwd,
			Capabilities: &specs.LinuxCapabilities{
				Bounding: caps, Effective: caps, Permitted: caps,
			},
			Rlimits:         rlimits,
			NoNewPrivileges: o.NoNewPrivileges,
			OOMScoreAdj:     o.OOMScoreAdj,
		},
		Root:       &specs.Root{Path: o.Rootfs, Readonly: o.ReadOnly},
		Hostname:   hostname,
		Domainname: o.Domainname,
		Mounts:     mergeMounts(defaultMounts(o), etcMounts(o), user, initMount),
		Linux: &specs.Linux{
			Namespaces:  namespaces(o),
			Resources:   res,
			CgroupsPath: o.CgroupsPath,
			Devices:     devNodes,
			Sysctl:      maps.Clone(o.Sysctls),
		},
	}
	if o.UTS.Host {
		spec.Domainname = ""
	}
	if o.Privileged {
		// Every device, no masks, no seccomp: what --privileged means.
		spec.Linux.Resources.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}
		host, err := hostDevices()
		if err != nil {
			return nil, fmt.Errorf("--privileged: list host devices: %w", err)
		}
		spec.Linux.Devices = append(host, devNodes...)
		return spec, nil
	}
	spec.Linux.Resources.Devices = append(spec.Linux.Resources.Devices, devRules...)
	spec.Linux.MaskedPaths = append([]string{}, MaskedPaths...)
	spec.Linux.ReadonlyPaths = append([]string{}, ReadonlyPaths...)
	if spec.Linux.Seccomp, err = seccomp(o.Seccomp, caps); err != nil {
		return nil, err
	}
	return spec, nil
}

func seccomp(opt string, caps []string) (*specs.LinuxSeccomp, error) {
	switch opt {
	case "unconfined":
		return nil, nil
	case "":
		return DefaultProfile().Compile(caps)
	}
	p, err := ParseProfile([]byte(opt))
	if err != nil {
		return nil, err
	}
	return p.Compile(caps)
}
