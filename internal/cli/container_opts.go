package cli

import (
	"time"

	"github.com/spf13/pflag"
)

// runOptions are the flags of `run` and `create`, named and typed as
// Docker's. toCreateRequest turns them into the API's create request.
type runOptions struct {
	// Client-side behaviour of run.
	detach, interactive, tty, rm, sigProxy bool
	detachKeys, pull, name                 string

	env, envFiles, labels, labelFiles       []string
	workdir, user, entrypoint, hostname     string
	init, readOnly, privileged, publishAll  bool
	tmpfs, volumes, mounts                  []string
	memory, memorySwap, memoryReservation   string
	shmSize                                 string
	cpus                                    string
	cpuShares                               int64
	cpusetCpus                              string
	pidsLimit                               int64
	ulimits, capAdd, capDrop, securityOpts  []string
	devices, groupAdd                       []string
	restart, stopSignal                     string
	stopTimeout                             int
	healthCmd                               string
	healthInterval, healthTimeout           time.Duration
	healthStartPeriod                       time.Duration
	healthRetries                           int
	noHealthcheck                           bool
	logDriver                               string
	logOpts                                 []string
	network, ip, macAddress                 string
	networkAliases                          []string
	dns, addHosts, publish, expose, sysctls []string
	changed                                 func(name string) bool // whether a flag was given
}

// addRunFlags declares the container configuration flags shared by run
// and create; run adds -d, --rm's partners --sig-proxy and --detach-keys.
func addRunFlags(f *pflag.FlagSet, o *runOptions) {
	f.SetInterspersed(false) // flags after the image belong to the command
	// -h is --hostname, as Docker's; --help keeps no shorthand.
	f.Bool("help", false, "print usage")
	f.BoolVarP(&o.interactive, "interactive", "i", false, "keep STDIN open even if not attached")
	f.BoolVarP(&o.tty, "tty", "t", false, "allocate a pseudo-TTY")
	f.BoolVar(&o.rm, "rm", false, "automatically remove the container and its anonymous volumes when it exits")
	f.StringVar(&o.name, "name", "", "assign a name to the container")
	f.StringVar(&o.pull, "pull", "missing", `pull image before running ("always", "missing", "never")`)

	f.StringArrayVarP(&o.env, "env", "e", nil, "set environment variables (KEY=VALUE, or KEY to copy it from the client)")
	f.StringArrayVar(&o.envFiles, "env-file", nil, "read in a file of environment variables")
	f.StringArrayVarP(&o.labels, "label", "l", nil, "set meta data on a container")
	f.StringArrayVar(&o.labelFiles, "label-file", nil, "read in a line delimited file of labels")
	f.StringVarP(&o.workdir, "workdir", "w", "", "working directory inside the container")
	f.StringVarP(&o.user, "user", "u", "", "username or UID (format: <name|uid>[:<group|gid>])")
	f.StringVar(&o.entrypoint, "entrypoint", "", "overwrite the default ENTRYPOINT of the image")
	f.StringVarP(&o.hostname, "hostname", "h", "", "container host name")
	f.BoolVar(&o.init, "init", false, "run an init inside the container that forwards signals and reaps processes")
	f.BoolVar(&o.readOnly, "read-only", false, "mount the container's root filesystem as read only")
	f.StringArrayVar(&o.tmpfs, "tmpfs", nil, "mount a tmpfs directory (PATH[:OPTIONS])")
	f.StringArrayVarP(&o.volumes, "volume", "v", nil, "bind mount a volume ([SRC:]DST[:OPTS])")
	f.StringArrayVar(&o.mounts, "mount", nil, "attach a filesystem mount to the container (type=bind|volume|tmpfs,...)")

	f.StringVarP(&o.memory, "memory", "m", "", "memory limit (e.g. 512m, 1g)")
	f.StringVar(&o.memorySwap, "memory-swap", "", "swap limit equal to memory plus swap: '-1' to enable unlimited swap")
	f.StringVar(&o.memoryReservation, "memory-reservation", "", "memory soft limit")
	f.StringVar(&o.shmSize, "shm-size", "", "size of /dev/shm (e.g. 64m)")
	f.StringVar(&o.cpus, "cpus", "", "number of CPUs (e.g. 1.5)")
	f.Int64VarP(&o.cpuShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	f.StringVar(&o.cpusetCpus, "cpuset-cpus", "", "CPUs in which to allow execution (0-3, 0,1)")
	f.Int64Var(&o.pidsLimit, "pids-limit", 0, "tune container pids limit (set -1 for unlimited)")
	f.StringArrayVar(&o.ulimits, "ulimit", nil, "ulimit options (NAME=SOFT[:HARD])")

	f.StringArrayVar(&o.capAdd, "cap-add", nil, "add Linux capabilities")
	f.StringArrayVar(&o.capDrop, "cap-drop", nil, "drop Linux capabilities")
	f.BoolVar(&o.privileged, "privileged", false, "give extended privileges to this container")
	f.StringArrayVar(&o.securityOpts, "security-opt", nil, "security options (no-new-privileges, seccomp=unconfined|FILE)")
	f.StringArrayVar(&o.devices, "device", nil, "add a host device to the container (HOST[:CONTAINER[:PERMS]])")
	f.StringArrayVar(&o.groupAdd, "group-add", nil, "add additional groups to join")
	f.StringArrayVar(&o.sysctls, "sysctl", nil, "sysctl options")

	f.StringVar(&o.restart, "restart", "no", "restart policy to apply when a container exits (no, on-failure[:N], always, unless-stopped)")
	f.StringVar(&o.stopSignal, "stop-signal", "", "signal to stop the container")
	f.IntVar(&o.stopTimeout, "stop-timeout", 0, "timeout (in seconds) to stop a container")

	f.StringVar(&o.healthCmd, "health-cmd", "", "command to run to check health")
	f.DurationVar(&o.healthInterval, "health-interval", 0, "time between running the check (ms|s|m|h)")
	f.IntVar(&o.healthRetries, "health-retries", 0, "consecutive failures needed to report unhealthy")
	f.DurationVar(&o.healthTimeout, "health-timeout", 0, "maximum time to allow one check to run (ms|s|m|h)")
	f.DurationVar(&o.healthStartPeriod, "health-start-period", 0, "start period for the container to initialize before counting retries (ms|s|m|h)")
	f.BoolVar(&o.noHealthcheck, "no-healthcheck", false, "disable any container-specified HEALTHCHECK")

	f.StringVar(&o.logDriver, "log-driver", "", "logging driver for the container (json-file, local, none)")
	f.StringArrayVar(&o.logOpts, "log-opt", nil, "log driver options (max-size=10m, max-file=3)")

	f.StringVar(&o.network, "network", "", "connect a container to a network (bridge, none, host, NAME)")
	f.StringVar(&o.ip, "ip", "", "IPv4 address (e.g. 172.30.100.104)")
	f.StringVar(&o.macAddress, "mac-address", "", "container MAC address (e.g. 92:d0:c6:0a:29:33)")
	f.StringArrayVar(&o.networkAliases, "network-alias", nil, "add network-scoped alias for the container")
	f.StringArrayVar(&o.dns, "dns", nil, "set custom DNS servers")
	f.StringArrayVar(&o.addHosts, "add-host", nil, "add a custom host-to-IP mapping (host:ip)")
	f.StringArrayVarP(&o.publish, "publish", "p", nil, "publish a container's port(s) to the host ([IP:][HOSTPORT:]PORT[/PROTO])")
	f.BoolVarP(&o.publishAll, "publish-all", "P", false, "publish all exposed ports to random ports")
	f.StringArrayVar(&o.expose, "expose", nil, "expose a port or a range of ports")
	o.changed = f.Changed
}
