package runtime_test

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestContainerFeatures checks from inside one container what the spec asked
// for: capabilities, no_new_privs, hostname, domainname, masked and
// read-only paths, devices, sysctl, rlimits, cwd, env and cgroup limits.
func TestContainerFeatures(t *testing.T) {
	e := newEnv(t)
	id, spec := e.spec(sh(`
echo capeff=$(grep CapEff /proc/self/status | cut -f2)
echo capbnd=$(grep CapBnd /proc/self/status | cut -f2)
echo nnp=$(grep NoNewPrivs /proc/self/status | cut -f2)
echo hostname=$(hostname)
echo domainname=$(cat /proc/sys/kernel/domainname)
echo masked=$(wc -c < /proc/timer_list)
echo null=$(stat -c '%F %t:%T' /dev/null)
echo custom=$(stat -c '%F %t:%T %a' /dev/custom)
echo customread=$(head -c 4 /dev/custom | wc -c)
echo ptmx=$(readlink /dev/ptmx)
echo ipforward=$(cat /proc/sys/net/ipv4/ip_forward)
echo nofile=$(ulimit -n)
echo rootwrite=$(touch /newfile 2>/dev/null && echo yes || echo no)
echo procsyswrite=$(echo 1 2>/dev/null > /proc/sys/kernel/ns_last_pid && echo yes || echo no)
echo cwd=$(pwd)
echo foo=$FOO
echo pid=$$
echo pidsmax=$(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)
echo procmounted=$(grep -c '^proc /proc proc' /proc/mounts)
`)...)
	spec.Process.NoNewPrivileges = true
	spec.Process.Cwd = "/tmp"
	spec.Process.Env = append(spec.Process.Env, "FOO=bar")
	spec.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 321, Hard: 654}}
	spec.Domainname = "example.org"
	spec.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
	mode := os.FileMode(0o640)
	spec.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/custom", Type: "c", Major: 1, Minor: 5, FileMode: &mode}}
	limit := int64(42)
	spec.Linux.Resources = &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: &limit}}
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"nosuid", "noexec", "nodev", "ro"}})

	got := lines(e.runOK(id, spec))
	// Docker's default set: 0xa80425fb.
	want := map[string]string{
		"capeff":       "00000000a80425fb",
		"capbnd":       "00000000a80425fb",
		"nnp":          "1",
		"hostname":     "bbox",
		"domainname":   "example.org",
		"masked":       "0",
		"null":         "character special file 1:3",
		"custom":       "character special file 1:5 640",
		"customread":   "4",
		"ptmx":         "pts/ptmx",
		"ipforward":    "1",
		"nofile":       "321",
		"rootwrite":    "no",
		"procsyswrite": "no",
		"cwd":          "/tmp",
		"foo":          "bar",
		"pid":          "1",
		"pidsmax":      "42",
		"procmounted":  "1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// TestUserAndAmbientCaps runs as an unprivileged user with supplementary
// groups, a umask and one ambient capability.
func TestUserAndAmbientCaps(t *testing.T) {
	e := newEnv(t)
	id, spec := e.spec(sh(`
echo id=$(id -u):$(id -g)
echo groups=$(id -G)
echo umask=$(umask)
echo capeff=$(grep CapEff /proc/self/status | cut -f2)
echo capamb=$(grep CapAmb /proc/self/status | cut -f2)
echo capbnd=$(grep CapBnd /proc/self/status | cut -f2)
echo home=$HOME
`)...)
	umask := uint32(0o027)
	spec.Process.User = specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{10, 20}, Umask: &umask}
	nbs := []string{"CAP_NET_BIND_SERVICE"}
	spec.Process.Capabilities = &specs.LinuxCapabilities{
		Bounding: []string{"CAP_KILL", "CAP_NET_BIND_SERVICE"}, Effective: nbs, Permitted: nbs, Inheritable: nbs, Ambient: nbs,
	}
	got := lines(e.runOK(id, spec))
	want := map[string]string{
		"id": "1000:1000", "groups": "1000 10 20", "umask": "0027",
		"capeff": "0000000000000400", "capamb": "0000000000000400", "capbnd": "0000000000000420",
		"home": "/home/user",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// TestUserNamespace maps container root to an unprivileged host range.
func TestUserNamespace(t *testing.T) {
	e := newEnv(t)
	id, spec := e.spec(sh(`echo uidmap=$(echo $(cat /proc/self/uid_map)); echo gidmap=$(echo $(cat /proc/self/gid_map)); echo id=$(id -u); echo null=$(stat -c %t:%T /dev/null); echo bound=$(cat /etc/passwd)`)...)
	// A bind source in a directory the container's root cannot enter (as
	// podman's run dirs): the parent hands the init a detached copy.
	private := t.TempDir()
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(private, "bound"), []byte("secret-ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Over an existing file: the container's root may not create one in
	// this root-owned rootfs.
	spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/etc/passwd", Type: "bind", Source: filepath.Join(private, "bound"), Options: []string{"bind", "ro"}},
		specs.Mount{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"ro", "nosuid", "nodev", "noexec"}})
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	spec.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	spec.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	got := lines(e.runOK(id, spec))
	want := map[string]string{"uidmap": "0 100000 65536", "gidmap": "0 100000 65536", "id": "0", "null": "1:3", "bound": "secret-ok"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// TestSeccompErrno: a filter returning ENOSYS for mkdir.
func TestSeccompErrno(t *testing.T) {
	e := newEnv(t)
	id, spec := e.spec(sh(`mkdir /tmp/x`)...)
	enosys := uint(38)
	spec.Linux.Seccomp = &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno, ErrnoRet: &enosys}},
	}
	r := e.run(id, spec)
	if r.code == 0 {
		t.Fatal("mkdir succeeded under a filter that forbids it")
	}
	if want := "Function not implemented"; !contains(r.stderr, want) {
		t.Errorf("stderr %q does not mention %q", r.stderr, want)
	}
}
