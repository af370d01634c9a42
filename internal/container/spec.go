package container

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/berthproject/berth/internal/oci"
	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/mount"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// imageConfig is the merged config in the image's terms: the spec builder
// resolves entrypoint, cmd, env, user and workdir from it.
func imageConfig(c *Container) ocispec.ImageConfig {
	cfg := c.Config
	return ocispec.ImageConfig{
		User: cfg.User, Env: cfg.Env, Entrypoint: cfg.Entrypoint, Cmd: cfg.Cmd,
		WorkingDir: cfg.WorkingDir, StopSignal: cfg.StopSignal,
	}
}

// ociOptions turns a container's config into the spec builder's options.
func (s *Service) ociOptions(c *Container, pidOf func(string) (int, error)) (oci.Options, error) {
	cfg, hc := c.Config, c.HostConfig
	b := s.bundle(c.ID)
	o := oci.Options{
		Rootfs: s.rootfs(c.ID), Tty: cfg.Tty, GroupAdd: hc.GroupAdd,
		Hostname: cfg.Hostname, Domainname: cfg.Domainname,
		HostnamePath: filepath.Join(b, "hostname"), HostsPath: filepath.Join(b, "hosts"), ResolvConfPath: filepath.Join(b, "resolv.conf"),
		ReadOnly: hc.ReadonlyRootfs, Tmpfs: hc.Tmpfs, ShmSize: hc.ShmSize,
		CapAdd: hc.CapAdd, CapDrop: hc.CapDrop, Privileged: hc.Privileged, Sysctls: hc.Sysctls,
		CgroupsPath: cgroupsPath(c.ID),
		Resources: oci.Resources{
			Memory: hc.Memory, MemorySwap: hc.MemorySwap, MemoryReservation: hc.MemoryReservation,
			NanoCPUs: hc.NanoCPUs, CPUShares: hc.CPUShares, CpusetCpus: hc.CpusetCpus, CpusetMems: hc.CpusetMems,
		},
	}
	if hc.PidsLimit != nil {
		o.Resources.PidsLimit = *hc.PidsLimit
	}
	if hc.OomScoreAdj != 0 {
		o.OOMScoreAdj = &hc.OomScoreAdj
	}
	if hc.Init != nil && *hc.Init {
		o.Init, o.InitBinary = true, s.cfg.InitBinary
	}
	for _, u := range hc.Ulimits {
		o.Ulimits = append(o.Ulimits, oci.Ulimit{Name: u.Name, Soft: u.Soft, Hard: u.Hard})
	}
	for _, d := range hc.Devices {
		o.Devices = append(o.Devices, oci.Device{PathOnHost: d.PathOnHost, PathInContainer: d.PathInContainer, CgroupPermissions: d.CgroupPermissions})
	}
	for _, so := range hc.SecurityOpt {
		k, v, _ := strings.Cut(so, "=")
		if k == so {
			k, v, _ = strings.Cut(so, ":")
		}
		switch k {
		case "no-new-privileges":
			on := true
			if v != "" {
				var err error
				if on, err = strconv.ParseBool(v); err != nil {
					return o, fmt.Errorf("invalid --security-opt %q: %w", so, errdefs.ErrInvalidArgument)
				}
			}
			o.NoNewPrivileges = on
		case "seccomp":
			if v == "" {
				return o, fmt.Errorf("invalid --security-opt %q: %w", so, errdefs.ErrInvalidArgument)
			}
			o.Seccomp = v
		case "apparmor", "label":
			// No AppArmor or SELinux in berth: accepted and ignored, as
			// Docker does on hosts without them.
		default:
			return o, fmt.Errorf("invalid --security-opt: %q: %w", so, errdefs.ErrInvalidArgument)
		}
	}
	for _, mp := range c.Mounts {
		m := oci.Mount{Type: string(mp.Type), Source: mp.Source, Target: mp.Destination, ReadOnly: !mp.RW, Propagation: string(mp.Propagation)}
		if mp.Type == mount.TypeTmpfs {
			for _, opt := range strings.Split(mp.Mode, ",") {
				if v, ok := strings.CutPrefix(opt, "size="); ok {
					m.TmpfsSize, _ = strconv.ParseInt(v, 10, 64)
				}
				if v, ok := strings.CutPrefix(opt, "mode="); ok {
					mode, _ := strconv.ParseUint(v, 8, 32)
					m.TmpfsMode = uint32(mode)
				}
			}
		}
		o.Mounts = append(o.Mounts, m)
	}
	var err error
	if o.Network, err = namespaceFor(string(hc.NetworkMode), pidOf, "net"); err != nil {
		return o, err
	}
	if o.PID, err = namespaceFor(string(hc.PidMode), pidOf, "pid"); err != nil {
		return o, err
	}
	if o.IPC, err = namespaceFor(string(hc.IpcMode), pidOf, "ipc"); err != nil {
		return o, err
	}
	if o.UTS, err = namespaceFor(string(hc.UTSMode), pidOf, "uts"); err != nil {
		return o, err
	}
	if o.UTS.Host || o.Network.Host {
		o.Hostname = ""
	}
	return o, nil
}

// namespaceFor reads a --network/--pid/--ipc/--uts mode: host,
// container:NAME, or (anything else) a namespace of the container's own.
func namespaceFor(mode string, pidOf func(string) (int, error), kind string) (oci.Namespace, error) {
	switch {
	case mode == "host":
		return oci.Namespace{Host: true}, nil
	case strings.HasPrefix(mode, "container:"):
		pid, err := pidOf(strings.TrimPrefix(mode, "container:"))
		if err != nil {
			return oci.Namespace{}, fmt.Errorf("join %s namespace of %s: %w", kind, mode, err)
		}
		return oci.Namespace{Path: fmt.Sprintf("/proc/%d/ns/%s", pid, kind)}, nil
	}
	return oci.Namespace{}, nil
}

// writeEtcFiles writes the hostname, hosts and resolv.conf the container sees.
func (s *Service) writeEtcFiles(c *Container) error {
	b := s.bundle(c.ID)
	hostname := c.Config.Hostname
	hosts := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
	if c.HostConfig.NetworkMode.IsHost() {
		hostname, _ = os.Hostname()
		if h, err := os.ReadFile("/etc/hosts"); err == nil {
			hosts = string(h)
		}
	}
	for _, eh := range c.HostConfig.ExtraHosts {
		name, addr, ok := strings.Cut(eh, ":")
		if !ok {
			name, addr, _ = strings.Cut(eh, "=")
		}
		hosts += addr + "\t" + name + "\n"
	}
	resolv, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		resolv = []byte("nameserver 8.8.8.8\n")
	}
	if len(c.HostConfig.DNS) > 0 || len(c.HostConfig.DNSSearch) > 0 {
		var sb strings.Builder
		for _, d := range c.HostConfig.DNS {
			fmt.Fprintf(&sb, "nameserver %s\n", d)
		}
		if len(c.HostConfig.DNSSearch) > 0 {
			fmt.Fprintf(&sb, "search %s\n", strings.Join(c.HostConfig.DNSSearch, " "))
		}
		resolv = []byte(sb.String())
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"hostname", []byte(hostname + "\n")}, {"hosts", []byte(hosts)}, {"resolv.conf", resolv}} {
		if err := os.WriteFile(filepath.Join(b, f.name), f.data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	return nil
}

// generateSpec builds config.json's spec for a run of c.
func (s *Service) generateSpec(ctx context.Context, c *Container) (*specs.Spec, error) {
	o, err := s.ociOptions(c, s.pidOf)
	if err != nil {
		return nil, err
	}
	spec, err := oci.Generate(ctx, imageConfig(c), o)
	if err != nil {
		return nil, err
	}
	if err := s.shareShm(c, spec); err != nil {
		return nil, err
	}
	if c.Config.Tty {
		spec.Process.ConsoleSize = &specs.Box{Height: uint(c.HostConfig.ConsoleSize[0]), Width: uint(c.HostConfig.ConsoleSize[1])}
	}
	return spec, nil
}

// pidOf is the host pid of a running container's init.
func (s *Service) pidOf(ref string) (int, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return 0, err
	}
	c := s.record(e)
	if !c.State.running() || c.State.Pid == 0 {
		return 0, fmt.Errorf("container %s is not running: %w", ref, errdefs.ErrFailedPrecondition)
	}
	return c.State.Pid, nil
}
