package cli

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/berthproject/berth/internal/network/portspec"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

// parseRestart reads --restart no|always|unless-stopped|on-failure[:N].
func (o *runOptions) parseRestart(_ *container.Config, hc *container.HostConfig) error {
	name, count, hasCount := strings.Cut(o.restart, ":")
	p := container.RestartPolicy{Name: container.RestartPolicyMode(name)}
	switch p.Name {
	case container.RestartPolicyDisabled, container.RestartPolicyAlways, container.RestartPolicyUnlessStopped:
		if hasCount {
			return invalidf("invalid restart policy: maximum retry count can only be used with 'on-failure'")
		}
	case container.RestartPolicyOnFailure:
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil {
				return invalidf("invalid restart policy format: maximum retry count must be an integer")
			}
			if n < 0 {
				return invalidf("invalid restart policy: maximum retry count cannot be negative")
			}
			p.MaximumRetryCount = n
		}
	case "":
		p.Name = container.RestartPolicyDisabled
	default:
		return invalidf("invalid restart policy: unknown policy '%s'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'", name)
	}
	if o.rm && p.Name != container.RestartPolicyDisabled {
		return invalidf("conflicting options: cannot specify both --restart and --rm")
	}
	hc.RestartPolicy = p
	return nil
}

// parseHealth reads the --health-* flags into a HEALTHCHECK override.
func (o *runOptions) parseHealth(cfg *container.Config, _ *container.HostConfig) error {
	given := o.healthCmd != "" || o.healthInterval != 0 || o.healthTimeout != 0 || o.healthStartPeriod != 0 || o.healthRetries != 0
	if o.noHealthcheck {
		if given {
			return invalidf("--no-healthcheck conflicts with --health-* options")
		}
		cfg.Healthcheck = &container.HealthConfig{Test: []string{"NONE"}}
		return nil
	}
	if !given {
		return nil
	}
	for flag, d := range map[string]int64{"health-interval": int64(o.healthInterval), "health-timeout": int64(o.healthTimeout),
		"health-start-period": int64(o.healthStartPeriod), "health-retries": int64(o.healthRetries)} {
		if d < 0 {
			return invalidf("--%s cannot be negative", flag)
		}
	}
	hc := &container.HealthConfig{Interval: o.healthInterval, Timeout: o.healthTimeout,
		StartPeriod: o.healthStartPeriod, Retries: o.healthRetries}
	if o.healthCmd != "" {
		hc.Test = []string{"CMD-SHELL", o.healthCmd}
	}
	cfg.Healthcheck = hc
	return nil
}

// parseLogging reads --log-driver and --log-opt.
func (o *runOptions) parseLogging(_ *container.Config, hc *container.HostConfig) error {
	hc.LogConfig.Type = o.logDriver
	for _, kv := range o.logOpts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return invalidf("invalid --log-opt %q: want KEY=VALUE", kv)
		}
		if hc.LogConfig.Config == nil {
			hc.LogConfig.Config = map[string]string{}
		}
		hc.LogConfig.Config[k] = v
	}
	return nil
}

// parsePorts reads -p and --expose into exposed ports and bindings.
func (o *runOptions) parsePorts(cfg *container.Config, hc *container.HostConfig) error {
	expose := func(p network.Port) {
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = network.PortSet{}
		}
		cfg.ExposedPorts[p] = struct{}{}
	}
	for _, spec := range o.publish {
		maps, err := portspec.Parse(spec)
		if err != nil {
			return err
		}
		for _, m := range maps {
			p, ok := network.PortFrom(m.ContainerPort, network.IPProtocol(m.Proto))
			if !ok {
				return invalidf("invalid port spec %q", spec)
			}
			b := network.PortBinding{HostIP: m.HostIP}
			if m.HostPort != 0 {
				b.HostPort = strconv.Itoa(int(m.HostPort))
				if m.HostPortEnd > m.HostPort {
					b.HostPort += "-" + strconv.Itoa(int(m.HostPortEnd))
				}
			}
			if hc.PortBindings == nil {
				hc.PortBindings = network.PortMap{}
			}
			hc.PortBindings[p] = append(hc.PortBindings[p], b)
			expose(p)
		}
	}
	for _, e := range o.expose {
		pr, err := network.ParsePortRange(e)
		if err != nil {
			return invalidf("invalid --expose %q: %v", e, err)
		}
		for p := range pr.All() {
			expose(p)
		}
	}
	return nil
}

// parseNetworkOpts reads --dns and --add-host.
func (o *runOptions) parseNetworkOpts(_ *container.Config, hc *container.HostConfig) error {
	for _, d := range o.dns {
		a, err := netip.ParseAddr(d)
		if err != nil {
			return invalidf("invalid --dns %q: not an IP address", d)
		}
		hc.DNS = append(hc.DNS, a)
	}
	for _, h := range o.addHosts {
		// Docker accepts host:ip and host=ip; the API takes host:ip.
		name, ip, ok := strings.Cut(h, "=")
		if !ok {
			name, ip, ok = strings.Cut(h, ":")
		}
		if _, err := netip.ParseAddr(strings.Trim(ip, "[]")); (err != nil && ip != "host-gateway") || !ok || name == "" {
			return invalidf("invalid --add-host %q: want HOST:IP", h)
		}
		hc.ExtraHosts = append(hc.ExtraHosts, name+":"+ip)
	}
	return nil
}

// readEnv reads --env-file files then -e values, as Docker: a bare KEY is
// taken from the client's environment, and dropped when it is unset there.
func readEnv(files, flags []string) ([]string, error) {
	var lines []string
	for _, f := range files {
		l, err := readKVFile(f)
		if err != nil {
			return nil, err
		}
		lines = append(lines, l...)
	}
	lines = append(lines, flags...)
	var env []string
	for _, l := range lines {
		k, _, hasValue := strings.Cut(l, "=")
		if k == "" {
			return nil, invalidf("invalid environment variable %q: no name", l)
		}
		if !hasValue {
			v, ok := os.LookupEnv(k)
			if !ok {
				continue
			}
			l = k + "=" + v
		}
		env = append(env, l)
	}
	return env, nil
}

// readLabels reads --label-file files then -l values into a map.
func readLabels(files, flags []string) (map[string]string, error) {
	var lines []string
	for _, f := range files {
		l, err := readKVFile(f)
		if err != nil {
			return nil, err
		}
		lines = append(lines, l...)
	}
	lines = append(lines, flags...)
	if len(lines) == 0 {
		return nil, nil
	}
	labels := map[string]string{}
	for _, l := range lines {
		k, v, _ := strings.Cut(l, "=")
		if k == "" {
			return nil, invalidf("invalid label %q: no key", l)
		}
		labels[k] = v
	}
	return labels, nil
}

// readKVFile reads the lines of an --env-file or --label-file, skipping
// blank lines and # comments.
func readKVFile(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err // "open FILE: no such file or directory", as Docker's
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimLeft(sc.Text(), " \t")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return lines, nil
}
