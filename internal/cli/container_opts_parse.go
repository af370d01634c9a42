package cli

import (
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// toCreateOptions translates the flags, the image and the command after
// it into the API's create request, as the docker CLI does. Nothing is
// sent: bad flags fail here, before any state exists on the daemon.
func (o *runOptions) toCreateOptions(image string, cmd []string) (client.ContainerCreateOptions, error) {
	cfg := &container.Config{
		Image: image, Cmd: cmd, Hostname: o.hostname, User: o.user, WorkingDir: o.workdir,
		Tty: o.tty, OpenStdin: o.interactive, StopSignal: o.stopSignal,
	}
	hc := &container.HostConfig{
		AutoRemove: o.rm, Privileged: o.privileged, ReadonlyRootfs: o.readOnly, PublishAllPorts: o.publishAll,
		CapAdd: o.capAdd, CapDrop: o.capDrop, GroupAdd: o.groupAdd, NetworkMode: container.NetworkMode(o.network),
	}
	if !o.detach {
		cfg.AttachStdout, cfg.AttachStderr = true, true
		if o.interactive {
			cfg.AttachStdin, cfg.StdinOnce = true, true
		}
	}
	if o.changed("entrypoint") {
		// An empty --entrypoint clears the image's, as Docker's.
		cfg.Entrypoint = []string{o.entrypoint}
	}
	if o.changed("stop-timeout") {
		t := o.stopTimeout
		cfg.StopTimeout = &t
	}
	if o.init {
		hc.Init = &o.init
	}
	var err error
	if cfg.Env, err = readEnv(o.envFiles, o.env); err != nil {
		return client.ContainerCreateOptions{}, err
	}
	if cfg.Labels, err = readLabels(o.labelFiles, o.labels); err != nil {
		return client.ContainerCreateOptions{}, err
	}
	steps := []func(*container.Config, *container.HostConfig) error{
		o.parseResources, o.parseStorage, o.parseSecurity, o.parseRestart, o.parseHealth, o.parseLogging, o.parsePorts, o.parseNetworkOpts,
	}
	for _, step := range steps {
		if err := step(cfg, hc); err != nil {
			return client.ContainerCreateOptions{}, err
		}
	}
	opts := client.ContainerCreateOptions{Config: cfg, HostConfig: hc, Name: o.name}
	if o.ip != "" || o.macAddress != "" || len(o.networkAliases) > 0 {
		ep, err := o.endpointSettings()
		if err != nil {
			return opts, err
		}
		net := o.network
		if net == "" {
			net = "bridge"
		}
		opts.NetworkingConfig = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{net: ep}}
	}
	return opts, nil
}

// endpointSettings reads --ip, --mac-address and --network-alias for the
// network the container joins.
func (o *runOptions) endpointSettings() (*network.EndpointSettings, error) {
	ep := &network.EndpointSettings{Aliases: o.networkAliases}
	if o.ip != "" {
		addr, err := netip.ParseAddr(o.ip)
		if err != nil || !addr.Is4() {
			return nil, invalidf("invalid IPv4 address %q for --ip", o.ip)
		}
		ep.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: addr}
	}
	if o.macAddress != "" {
		mac, err := net.ParseMAC(o.macAddress)
		if err != nil || len(mac) != 6 {
			return nil, invalidf("invalid MAC address %q for --mac-address", o.macAddress)
		}
		ep.MacAddress = network.HardwareAddr(mac)
	}
	return ep, nil
}

// parseResources reads the cgroup limits.
func (o *runOptions) parseResources(_ *container.Config, hc *container.HostConfig) error {
	r := &hc.Resources
	for _, s := range []struct {
		flag, val string
		dst       *int64
	}{
		{"memory", o.memory, &r.Memory},
		{"memory-reservation", o.memoryReservation, &r.MemoryReservation},
		{"shm-size", o.shmSize, &hc.ShmSize},
	} {
		if s.val == "" {
			continue
		}
		n, err := parseSize(s.flag, s.val)
		if err != nil {
			return err
		}
		*s.dst = n
	}
	if o.memorySwap != "" {
		if o.memorySwap == "-1" {
			r.MemorySwap = -1
		} else {
			n, err := parseSize("memory-swap", o.memorySwap)
			if err != nil {
				return err
			}
			r.MemorySwap = n
		}
	}
	if o.cpus != "" {
		n, err := parseCPUs(o.cpus)
		if err != nil {
			return err
		}
		r.NanoCPUs = n
	}
	r.CPUShares, r.CpusetCpus = o.cpuShares, o.cpusetCpus
	if o.changed("pids-limit") {
		n := o.pidsLimit
		r.PidsLimit = &n
	}
	for _, u := range o.ulimits {
		ul, err := units.ParseUlimit(u)
		if err != nil {
			return flagValueError{"ulimit", u, err.Error()}
		}
		r.Ulimits = append(r.Ulimits, ul)
	}
	for _, d := range o.devices {
		dm, err := parseDevice(d)
		if err != nil {
			return err
		}
		r.Devices = append(r.Devices, dm)
	}
	return nil
}

// parseSize reads a memory size flag (512m, 1g) as Docker's CLI does,
// with go-units' reason when it does not parse.
func parseSize(flag, s string) (int64, error) {
	n, err := units.RAMInBytes(s)
	if err != nil {
		return 0, flagValueError{flag, s, err.Error()}
	}
	if n < 0 {
		return 0, flagValueError{flag, s, "must not be negative"}
	}
	return n, nil
}

// parseCPUs turns "1.5" into 1.5e9 nano-CPUs, exactly (no float rounding).
func parseCPUs(s string) (int64, error) {
	rat, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, flagValueError{"cpus", s, fmt.Sprintf("failed to parse %s as a rational number", s)}
	}
	if rat.Sign() < 0 {
		return 0, flagValueError{"cpus", s, "must not be negative"}
	}
	nano := rat.Mul(rat, big.NewRat(1e9, 1))
	if !nano.IsInt() {
		return 0, flagValueError{"cpus", s, "value is too precise"}
	}
	return nano.Num().Int64(), nil
}

// parseDevice reads HOST[:CONTAINER][:PERMISSIONS].
func parseDevice(s string) (container.DeviceMapping, error) {
	parts := strings.Split(s, ":")
	dm := container.DeviceMapping{CgroupPermissions: "rwm"}
	switch len(parts) {
	case 3:
		dm.CgroupPermissions = parts[2]
		fallthrough
	case 2:
		if isDevicePerms(parts[1]) && len(parts) == 2 {
			dm.CgroupPermissions = parts[1]
		} else {
			dm.PathInContainer = parts[1]
		}
		fallthrough
	case 1:
		dm.PathOnHost = parts[0]
	default:
		return dm, invalidf("invalid --device %q: too many colons", s)
	}
	if dm.PathInContainer == "" {
		dm.PathInContainer = dm.PathOnHost
	}
	if !strings.HasPrefix(dm.PathOnHost, "/") || !strings.HasPrefix(dm.PathInContainer, "/") || !isDevicePerms(dm.CgroupPermissions) {
		return dm, invalidf("invalid --device %q: paths must be absolute, permissions a combination of r, w, m", s)
	}
	return dm, nil
}

func isDevicePerms(p string) bool {
	return p != "" && strings.Trim(p, "rwm") == ""
}

// parseSecurity reads --security-opt; a seccomp profile file is sent
// inline, as the docker CLI does, since the daemon may not see the file.
func (o *runOptions) parseSecurity(_ *container.Config, hc *container.HostConfig) error {
	for _, opt := range o.securityOpts {
		k, v, _ := strings.Cut(opt, "=")
		if k == "seccomp" && v != "unconfined" && v != "" && v != "builtin" {
			data, err := os.ReadFile(v)
			if err != nil {
				return fmt.Errorf("read seccomp profile for --security-opt: %w", err)
			}
			opt = "seccomp=" + string(data)
		}
		hc.SecurityOpt = append(hc.SecurityOpt, opt)
	}
	for _, s := range o.sysctls {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return invalidf("invalid --sysctl %q: want KEY=VALUE", s)
		}
		if hc.Sysctls == nil {
			hc.Sysctls = map[string]string{}
		}
		hc.Sysctls[k] = v
	}
	return nil
}
