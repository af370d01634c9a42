package cli

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/go-units"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/spf13/pflag"
)

// parseRun parses run's flags as the command line would and translates them.
func parseRun(t *testing.T, args ...string) (client.ContainerCreateOptions, error) {
	t.Helper()
	o := &runOptions{}
	f := pflag.NewFlagSet("run", pflag.ContinueOnError)
	addRunFlags(f, o)
	f.BoolVarP(&o.detach, "detach", "d", false, "")
	if err := f.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	rest := f.Args()
	if len(rest) == 0 {
		t.Fatalf("no image in %q", args)
	}
	return o.toCreateOptions(rest[0], rest[1:])
}

func TestRunFlagsToCreateRequest(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(envFile, []byte("# comment\n\nFROM_FILE=1\nCLIENT_ONLY\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CLIENT_ONLY", "yes")
	p80udp := network.MustParsePort("80/udp")
	p443 := network.MustParsePort("443/tcp")
	lo := netip.MustParseAddr("127.0.0.1")
	pids := int64(100)
	stop := 3
	yes := true
	for _, tc := range []struct {
		args  []string
		check func(*container.Config, *container.HostConfig, *network.NetworkingConfig) any // what is compared
		want  any
	}{
		{[]string{"--cpus", "1.5", "img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any { return h.NanoCPUs }, int64(1_500_000_000)},
		{[]string{"--cpus", "0.001", "img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any { return h.NanoCPUs }, int64(1_000_000)},
		{[]string{"-p", "8080:80/udp", "-p", "127.0.0.1::443", "img"}, func(c *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
			return []any{h.PortBindings, c.ExposedPorts}
		}, []any{network.PortMap{p80udp: {{HostPort: "8080"}}, p443: {{HostIP: lo}}}, network.PortSet{p80udp: {}, p443: {}}}},
		{[]string{"-p", "8000-8010:80", "img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
			return h.PortBindings
		},
			network.PortMap{network.MustParsePort("80/tcp"): {{HostPort: "8000-8010"}}}},
		{[]string{"--restart", "on-failure:3", "img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
			return h.RestartPolicy
		},
			container.RestartPolicy{Name: container.RestartPolicyOnFailure, MaximumRetryCount: 3}},
		{[]string{"img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
			return h.RestartPolicy
		},
			container.RestartPolicy{Name: container.RestartPolicyDisabled}},
		{[]string{"--ulimit", "nofile=1024:2048", "--ulimit", "nproc=512", "img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any { return h.Ulimits },
			[]*container.Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}, {Name: "nproc", Soft: 512, Hard: 512}}},
		{[]string{"--mount", "type=bind,src=/srv,dst=/data,ro", "img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any { return h.Mounts },
			[]mount.Mount{{Type: mount.TypeBind, Source: "/srv", Target: "/data", ReadOnly: true}}},
		{[]string{"--mount", "type=tmpfs,destination=/run,tmpfs-size=64m,tmpfs-mode=1770", "--mount", "source=vol,target=/v,volume-nocopy", "img"},
			func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any { return h.Mounts },
			[]mount.Mount{{Type: mount.TypeTmpfs, Target: "/run", TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 64 << 20, Mode: 0o1770}},
				{Type: mount.TypeVolume, Source: "vol", Target: "/v", VolumeOptions: &mount.VolumeOptions{NoCopy: true}}}},
		{[]string{"-v", "data:/data", "-v", "/host:/ctr:ro", "-v", "/anon", "img"}, func(c *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
			return []any{h.Binds, c.Volumes}
		}, []any{[]string{"data:/data", "/host:/ctr:ro"}, map[string]struct{}{"/anon": {}}}},
		{[]string{"--tmpfs", "/run:size=64m,noexec", "--tmpfs", "/tmp", "img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any { return h.Tmpfs },
			map[string]string{"/run": "size=64m,noexec", "/tmp": ""}},
		{[]string{"--memory", "512m", "--memory-swap", "-1", "--memory-reservation", "256m", "--shm-size", "64m", "img"},
			func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
				return []int64{h.Memory, h.MemorySwap, h.MemoryReservation, h.ShmSize}
			}, []int64{512 << 20, -1, 256 << 20, 64 << 20}},
		{[]string{"--pids-limit", "100", "--cpu-shares", "512", "--cpuset-cpus", "0-1", "img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
			return []any{h.PidsLimit, h.CPUShares, h.CpusetCpus}
		}, []any{&pids, int64(512), "0-1"}},
		{[]string{"img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
			return h.PidsLimit
		}, (*int64)(nil)},
		{[]string{"-e", "A=1", "--env-file", envFile, "-e", "UNSET_IN_CLIENT_XYZ", "img"}, func(c *container.Config, _ *container.HostConfig, _ *network.NetworkingConfig) any { return c.Env },
			[]string{"FROM_FILE=1", "CLIENT_ONLY=yes", "A=1"}},
		{[]string{"-l", "app=web", "-l", "tier", "img"}, func(c *container.Config, _ *container.HostConfig, _ *network.NetworkingConfig) any { return c.Labels },
			map[string]string{"app": "web", "tier": ""}},
		{[]string{"--entrypoint", "", "img", "sh", "-c", "x"}, func(c *container.Config, _ *container.HostConfig, _ *network.NetworkingConfig) any {
			return []any{c.Entrypoint, c.Cmd}
		}, []any{[]string{""}, []string{"sh", "-c", "x"}}},
		{[]string{"-w", "/tmp", "-u", "1000:1000", "-h", "box", "--stop-signal", "SIGINT", "--stop-timeout", "3", "--init", "img"},
			func(c *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
				return []any{c.WorkingDir, c.User, c.Hostname, c.StopSignal, c.StopTimeout, h.Init}
			}, []any{"/tmp", "1000:1000", "box", "SIGINT", &stop, &yes}},
		{[]string{"-it", "img"}, func(c *container.Config, _ *container.HostConfig, _ *network.NetworkingConfig) any {
			return []bool{c.Tty, c.OpenStdin, c.AttachStdin, c.StdinOnce, c.AttachStdout, c.AttachStderr}
		}, []bool{true, true, true, true, true, true}},
		{[]string{"-d", "-i", "img"}, func(c *container.Config, _ *container.HostConfig, _ *network.NetworkingConfig) any {
			return []bool{c.OpenStdin, c.AttachStdin, c.AttachStdout}
		}, []bool{true, false, false}},
		{[]string{"--health-cmd", "true", "--health-interval", "5s", "--health-retries", "2", "img"}, func(c *container.Config, _ *container.HostConfig, _ *network.NetworkingConfig) any {
			return c.Healthcheck
		},
			&container.HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: 5 * time.Second, Retries: 2}},
		{[]string{"--no-healthcheck", "img"}, func(c *container.Config, _ *container.HostConfig, _ *network.NetworkingConfig) any {
			return c.Healthcheck
		},
			&container.HealthConfig{Test: []string{"NONE"}}},
		{[]string{"--cap-add", "NET_ADMIN", "--cap-drop", "ALL", "--privileged", "--read-only", "--security-opt", "no-new-privileges", "--group-add", "audio", "img"},
			func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
				return []any{h.CapAdd, h.CapDrop, h.Privileged, h.ReadonlyRootfs, h.SecurityOpt, h.GroupAdd}
			}, []any{[]string{"NET_ADMIN"}, []string{"ALL"}, true, true, []string{"no-new-privileges"}, []string{"audio"}}},
		{[]string{"--device", "/dev/fuse", "--device", "/dev/null:/dev/mynull:r", "img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any { return h.Devices },
			[]container.DeviceMapping{{PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm"},
				{PathOnHost: "/dev/null", PathInContainer: "/dev/mynull", CgroupPermissions: "r"}}},
		{[]string{"--log-driver", "json-file", "--log-opt", "max-size=10m", "--log-opt", "max-file=3", "img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
			return h.LogConfig
		},
			container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "10m", "max-file": "3"}}},
		{[]string{"--network", "mynet", "--ip", "10.1.2.3", "--dns", "1.1.1.1", "--add-host", "db:10.0.0.5", "--add-host", "x=::1", "img"},
			func(_ *container.Config, h *container.HostConfig, n *network.NetworkingConfig) any {
				return []any{h.NetworkMode, n.EndpointsConfig["mynet"].IPAMConfig.IPv4Address, h.DNS, h.ExtraHosts}
			}, []any{container.NetworkMode("mynet"), netip.MustParseAddr("10.1.2.3"), []netip.Addr{netip.MustParseAddr("1.1.1.1")}, []string{"db:10.0.0.5", "x:::1"}}},
		{[]string{"--network-alias", "db", "--mac-address", "92:d0:c6:0a:29:33", "img"}, func(_ *container.Config, _ *container.HostConfig, n *network.NetworkingConfig) any {
			ep := n.EndpointsConfig["bridge"]
			return []string{strings.Join(ep.Aliases, ","), ep.MacAddress.String()}
		}, []string{"db", "92:d0:c6:0a:29:33"}},
		{[]string{"--rm", "-P", "--name", "job", "img"}, func(_ *container.Config, h *container.HostConfig, _ *network.NetworkingConfig) any {
			return []bool{h.AutoRemove, h.PublishAllPorts}
		}, []bool{true, true}},
	} {
		opts, err := parseRun(t, tc.args...)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		got := tc.check(opts.Config, opts.HostConfig, opts.NetworkingConfig)
		if d := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
			cmp.Comparer(func(a, b network.Port) bool { return a == b })); d != "" {
			t.Errorf("%q (-want +got):\n%s", tc.args, d)
		}
	}
}

func TestRunFlagsRejectBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // a part of the message naming what was wrong
	}{
		{[]string{"--memory", "12x", "img"}, `"12x"`},
		{[]string{"--shm-size", "-5m", "img"}, "--shm-size"},
		{[]string{"--cpus", "abc", "img"}, `"abc"`},
		{[]string{"--cpus", "-1", "img"}, `"-1"`},
		{[]string{"--restart", "sometimes", "img"}, "'sometimes'"},
		{[]string{"--restart", "always:3", "img"}, "retry count"},
		{[]string{"--restart", "on-failure:x", "img"}, "retry count"},
		{[]string{"--rm", "--restart", "always", "img"}, "--restart and --rm"},
		{[]string{"-v", "relative/dir", "img"}, "must be absolute"},
		{[]string{"-v", "data:ctr", "img"}, "must be absolute"},
		{[]string{"-v", "/a:/b:bogus", "img"}, "unknown option"},
		{[]string{"-v", "/a:/b:ro:x", "img"}, "too many colons"},
		{[]string{"--mount", "type=bind,dst=/x", "img"}, "absolute source"},
		{[]string{"--mount", "type=nfs,dst=/x", "img"}, "type must be"},
		{[]string{"--mount", "type=volume,src=v", "img"}, "target"},
		{[]string{"--mount", "type=volume,dst=/x,tmpfs-size=1m", "img"}, "do not match"},
		{[]string{"--mount", "type=bind,src=/a,dst=/b,color=red", "img"}, `"color"`},
		{[]string{"--tmpfs", "run", "img"}, "must be absolute"},
		{[]string{"--ulimit", "nofile", "img"}, "--ulimit"},
		{[]string{"--ulimit", "nofile=2048:1024", "img"}, "--ulimit"},
		{[]string{"--no-healthcheck", "--health-cmd", "true", "img"}, "conflicts"},
		{[]string{"--device", "dev/fuse", "img"}, "absolute"},
		{[]string{"--ip", "10.0.0", "img"}, "--ip"},
		{[]string{"--dns", "resolver", "img"}, "--dns"},
		{[]string{"--mac-address", "92:d0", "img"}, "--mac-address"},
		{[]string{"--add-host", "nohost", "img"}, "--add-host"},
		{[]string{"-p", "99999:80", "img"}, "99999"},
		{[]string{"--log-opt", "max-size", "img"}, "--log-opt"},
		{[]string{"-e", "=x", "img"}, "no name"},
		{[]string{"--env-file", "/nonexistent/env", "img"}, "/nonexistent/env"},
	} {
		_, err := parseRun(t, tc.args...)
		if err == nil {
			t.Errorf("%q accepted", tc.args)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %q does not name %q", tc.args, err, tc.want)
		}
		if !errdefs.IsInvalidArgument(err) && !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%q: error %v is not classified as invalid input", tc.args, err)
		}
	}
}

func TestUpdateFlags(t *testing.T) {
	o := updateOptions{memory: "256m", cpus: "2", restart: "unless-stopped", pidsLimit: 50}
	opts, err := o.toUpdateOptions(func(f string) bool { return f == "pids-limit" })
	if err != nil {
		t.Fatal(err)
	}
	if opts.Resources.Memory != 256*units.MiB || opts.Resources.NanoCPUs != 2e9 || *opts.Resources.PidsLimit != 50 ||
		opts.RestartPolicy.Name != container.RestartPolicyUnlessStopped {
		t.Errorf("update options = %+v %+v", opts.Resources, opts.RestartPolicy)
	}
	if _, err := (updateOptions{memory: "lots"}).toUpdateOptions(func(string) bool { return false }); err == nil {
		t.Error("--memory lots accepted")
	}
}
