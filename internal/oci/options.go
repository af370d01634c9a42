package oci

// Options are the choices of `berth run` (and `docker run`) that shape the
// runtime spec. The zero value means Docker's defaults everywhere.
type Options struct {
	// Rootfs is the host path of the container's mounted root filesystem:
	// the spec's root, and where /etc/passwd and /etc/group are read to
	// resolve the user (inside it, never following a link out).
	Rootfs string

	// Entrypoint, when non-nil, replaces the image's ENTRYPOINT and drops
	// its CMD (an empty, non-nil slice clears the entrypoint), as
	// `--entrypoint` does.
	Entrypoint []string
	// Cmd, when not empty, replaces the image's CMD.
	Cmd []string
	// Env is KEY=VALUE entries added over the image's; a bare KEY removes it.
	Env        []string
	WorkingDir string
	// User is "name|uid[:group|gid]", overriding the image's USER.
	User     string
	GroupAdd []string
	Tty      bool

	Hostname   string
	Domainname string
	// HostnamePath, HostsPath and ResolvConfPath are host files the
	// container service wrote; each is bind-mounted over its /etc file.
	HostnamePath   string
	HostsPath      string
	ResolvConfPath string

	ReadOnly bool
	// Tmpfs maps a container path to its mount options ("size=64m,exec").
	Tmpfs  map[string]string
	Mounts []Mount
	// ShmSize is the size of /dev/shm in bytes (64 MiB when 0).
	ShmSize int64

	CapAdd          []string
	CapDrop         []string
	Privileged      bool
	NoNewPrivileges bool
	// Seccomp is "" for Docker's default profile, "unconfined", or the
	// JSON text of a profile in Docker's format.
	Seccomp string
	Devices []Device
	Sysctls map[string]string
	Ulimits []Ulimit
	// OOMScoreAdj, when non-nil, is the process's oom_score_adj.
	OOMScoreAdj *int

	Resources Resources

	// Init runs the process under berth's init, bind-mounted read-only from
	// InitBinary (a host path) to InitPath.
	Init       bool
	InitBinary string

	// CgroupsPath is the container's cgroup, as the runtime expects it.
	CgroupsPath string

	Network Namespace
	PID     Namespace
	IPC     Namespace
	UTS     Namespace
	Cgroup  Namespace
	// ShmPath, with IPC joining another container's namespace, is that
	// container's /dev/shm on the host, bind-mounted in this one.
	ShmPath string
}

// Namespace is how a container gets one kind of namespace: its own (the
// zero value), the host's, or the one at Path (another container's, as
// /proc/PID/ns/KIND, resolved by the caller from "container:NAME").
type Namespace struct {
	Host bool
	Path string
}

// Mount is a -v / --mount of the user.
type Mount struct {
	// Type is "bind", "volume" (a bind of the volume's host dir) or "tmpfs".
	Type string
	// Source is the absolute host path (bind, volume); unused for tmpfs.
	Source   string
	Target   string
	ReadOnly bool
	// Propagation is rprivate (default), private, rshared, shared, rslave or slave.
	Propagation string
	// TmpfsSize (bytes) and TmpfsMode apply to tmpfs mounts.
	TmpfsSize int64
	TmpfsMode uint32
}

// Device is a --device: a host device node made available in the
// container, with cgroup permissions ("rwm" when empty).
type Device struct {
	PathOnHost        string
	PathInContainer   string
	CgroupPermissions string
}

// Ulimit is a --ulimit name=soft[:hard], name as Docker writes it ("nofile").
type Ulimit struct {
	Name string
	Soft int64
	Hard int64
}

// Resources are the cgroup limits of `docker run`. Sizes are bytes; a zero
// value means no limit.
type Resources struct {
	Memory            int64
	MemorySwap        int64 // memory+swap; -1 unlimited; 0 twice Memory
	MemoryReservation int64
	NanoCPUs          int64 // --cpus × 1e9
	CPUShares         int64
	CpusetCpus        string
	CpusetMems        string
	PidsLimit         int64 // ≤0: unlimited
}
