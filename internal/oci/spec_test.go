package oci

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// testRootfs is a rootfs with the passwd and group files of a small image.
func testRootfs(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/group"), []byte("root:x:0:\nwheel:x:10:root\nnogroup:x:65534:\napp:x:1000:\naudio:x:29:app\nvideo:x:44:app\n"), 0o644)
	return root
}

func generate(t *testing.T, img ocispec.ImageConfig, o Options) *specs.Spec {
	t.Helper()
	s, err := Generate(context.Background(), img, o)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return s
}

func TestGenerateDockerDefaults(t *testing.T) {
	rootfs := testRootfs(t)
	img := ocispec.ImageConfig{Entrypoint: []string{"/entry"}, Cmd: []string{"serve"}, Env: []string{"LANG=C"}, WorkingDir: "/srv", User: "app"}
	s := generate(t, img, Options{Rootfs: rootfs, Hostname: "abc123", HostsPath: "/h/hosts", ResolvConfPath: "/h/resolv.conf", HostnamePath: "/h/hostname"})

	want := &specs.Process{
		User: specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{29, 44}},
		Args: []string{"/entry", "serve"},
		Env:  []string{"PATH=" + DefaultPath, "HOSTNAME=abc123", "LANG=C", "HOME=/home/app"},
		Cwd:  "/srv",
		Capabilities: &specs.LinuxCapabilities{
			Bounding: DefaultCapabilities, Effective: DefaultCapabilities, Permitted: DefaultCapabilities,
		},
	}
	if diff := cmp.Diff(want, s.Process); diff != "" {
		t.Errorf("process (-want +got):\n%s", diff)
	}
	var dests []string
	for _, m := range s.Mounts {
		dests = append(dests, m.Destination)
	}
	wantDests := []string{"/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf"}
	if diff := cmp.Diff(wantDests, dests); diff != "" {
		t.Errorf("mounts (-want +got):\n%s", diff)
	}
	if shm := s.Mounts[6]; !slices.Contains(shm.Options, "size=67108864") {
		t.Errorf("/dev/shm options %v, want a 64 MiB size", shm.Options)
	}
	if !slices.Contains(s.Mounts[3].Options, "ro") {
		t.Errorf("/sys is not read-only: %v", s.Mounts[3].Options)
	}
	if diff := cmp.Diff(MaskedPaths, s.Linux.MaskedPaths); diff != "" || !slices.Contains(s.Linux.ReadonlyPaths, "/proc/sys") {
		t.Errorf("masked %v readonly %v", s.Linux.MaskedPaths, s.Linux.ReadonlyPaths)
	}
	if s.Linux.Seccomp == nil || s.Linux.Seccomp.DefaultAction != specs.ActErrno || *s.Linux.Seccomp.DefaultErrnoRet != uint(unix.EPERM) {
		t.Errorf("seccomp = %+v, want the default profile", s.Linux.Seccomp)
	}
	if s.Hostname != "abc123" || s.Root.Path != rootfs || s.Root.Readonly || s.Version != "1.3.0" {
		t.Errorf("hostname %q root %+v version %s", s.Hostname, s.Root, s.Version)
	}
	var nsTypes []specs.LinuxNamespaceType
	for _, n := range s.Linux.Namespaces {
		nsTypes = append(nsTypes, n.Type)
	}
	for _, typ := range []specs.LinuxNamespaceType{specs.MountNamespace, specs.NetworkNamespace, specs.PIDNamespace, specs.IPCNamespace, specs.UTSNamespace} {
		if !slices.Contains(nsTypes, typ) {
			t.Errorf("namespaces %v lack %s", nsTypes, typ)
		}
	}
	if d := s.Linux.Resources.Devices; len(d) == 0 || d[0].Allow || d[0].Access != "rwm" {
		t.Errorf("device rules do not start with deny-all: %+v", d)
	}
}

func TestEntrypointAndCmd(t *testing.T) {
	img := ocispec.ImageConfig{Entrypoint: []string{"/bin/ep"}, Cmd: []string{"default"}}
	for _, tc := range []struct {
		name string
		img  ocispec.ImageConfig
		o    Options
		want []string
	}{
		{"image", img, Options{}, []string{"/bin/ep", "default"}},
		{"args replace CMD", img, Options{Cmd: []string{"x", "y"}}, []string{"/bin/ep", "x", "y"}},
		{"--entrypoint drops CMD", img, Options{Entrypoint: []string{"/bin/sh"}}, []string{"/bin/sh"}},
		{"--entrypoint with args", img, Options{Entrypoint: []string{"/bin/sh"}, Cmd: []string{"-c", "id"}}, []string{"/bin/sh", "-c", "id"}},
		{"--entrypoint '' with args", img, Options{Entrypoint: []string{}, Cmd: []string{"id"}}, []string{"id"}},
		{"cmd only image", ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{}, []string{"sh"}},
		{"--init", ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{Init: true, InitBinary: "/usr/libexec/berth-init"}, []string{InitPath, "--", "sh"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, generate(t, tc.img, tc.o).Process.Args); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
		})
	}
	_, err := Generate(context.Background(), ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{Entrypoint: []string{}})
	if !errdefs.IsInvalidArgument(err) {
		t.Errorf("no command: %v, want invalid argument", err)
	}
}

func TestEnvironment(t *testing.T) {
	img := ocispec.ImageConfig{Cmd: []string{"sh"}, Env: []string{"PATH=/opt/bin", "A=1", "B=2"}}
	s := generate(t, img, Options{Env: []string{"B=3", "A", "C=4"}, Tty: true, Hostname: "h"})
	want := []string{"PATH=/opt/bin", "HOSTNAME=h", "TERM=xterm", "B=3", "C=4", "HOME=/"}
	if diff := cmp.Diff(want, s.Process.Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
}

func TestUserResolution(t *testing.T) {
	rootfs := testRootfs(t)
	img := ocispec.ImageConfig{Cmd: []string{"sh"}}
	for _, tc := range []struct {
		user     string
		groupAdd []string
		want     specs.User
	}{
		{"", nil, specs.User{UID: 0, GID: 0, AdditionalGids: []uint32{10}}},
		{"nobody", nil, specs.User{UID: 65534, GID: 65534, AdditionalGids: []uint32{}}},
		// An explicit group replaces the user's supplementary groups (as runc).
		{"app:audio", nil, specs.User{UID: 1000, GID: 29, AdditionalGids: []uint32{}}},
		{"4242:4343", []string{"video", "777"}, specs.User{UID: 4242, GID: 4343, AdditionalGids: []uint32{44, 777}}},
	} {
		s := generate(t, img, Options{Rootfs: rootfs, User: tc.user, GroupAdd: tc.groupAdd})
		if diff := cmp.Diff(tc.want, s.Process.User); diff != "" {
			t.Errorf("user %q (-want +got):\n%s", tc.user, diff)
		}
	}
	for _, bad := range []Options{{User: "ghost"}, {User: "app", GroupAdd: []string{"nosuchgroup"}}} {
		bad.Rootfs = rootfs
		if _, err := Generate(context.Background(), img, bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("user %q groups %v: %v, want invalid argument", bad.User, bad.GroupAdd, err)
		}
	}
}

// An image's /etc/passwd that links out of the rootfs is read inside it.
func TestUserLookupStaysInRootfs(t *testing.T) {
	if _, err := os.Stat("/etc/passwd"); err != nil {
		t.Skip("no host /etc/passwd")
	}
	rootfs := t.TempDir()
	os.MkdirAll(filepath.Join(rootfs, "etc"), 0o755)
	// Inside the rootfs this link points at itself (a loop); the other
	// one at a file the rootfs does not have. Debian's host has "daemon".
	os.Symlink("../../../../../../../../etc/passwd", filepath.Join(rootfs, "etc/passwd"))
	_, err := Generate(context.Background(), ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{Rootfs: rootfs, User: "daemon"})
	if !errdefs.IsInvalidArgument(err) {
		t.Errorf("user daemon through an escaping symlink: %v, want an error", err)
	}
	os.Remove(filepath.Join(rootfs, "etc/passwd"))
	os.Symlink("/../../../../etc/passwd-host", filepath.Join(rootfs, "etc/passwd"))
	os.WriteFile(filepath.Join(rootfs, "etc/passwd-host"), []byte("daemon:x:77:77::/:/bin/sh\n"), 0o644)
	s, err := Generate(context.Background(), ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{Rootfs: rootfs, User: "daemon"})
	if err != nil || s.Process.User.UID != 77 {
		t.Errorf("absolute link inside the rootfs: %v, uid %v; want the rootfs's daemon (77)", err, s)
	}
}

func TestCapabilities(t *testing.T) {
	for _, tc := range []struct {
		add, drop []string
		has       []string
		hasNot    []string
	}{
		{[]string{"net_admin"}, []string{"CAP_CHOWN"}, []string{"CAP_NET_ADMIN", "CAP_KILL"}, []string{"CAP_CHOWN"}},
		{[]string{"ALL"}, []string{"SYS_ADMIN"}, []string{"CAP_SYS_MODULE", "CAP_NET_ADMIN"}, []string{"CAP_SYS_ADMIN"}},
		{[]string{"NET_BIND_SERVICE"}, []string{"all"}, []string{"CAP_NET_BIND_SERVICE"}, []string{"CAP_CHOWN", "CAP_KILL"}},
	} {
		caps, err := capabilities(false, tc.add, tc.drop)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range tc.has {
			if !slices.Contains(caps, c) {
				t.Errorf("add %v drop %v: %v lacks %s", tc.add, tc.drop, caps, c)
			}
		}
		for _, c := range tc.hasNot {
			if slices.Contains(caps, c) {
				t.Errorf("add %v drop %v: %v has %s", tc.add, tc.drop, caps, c)
			}
		}
	}
	if _, err := capabilities(false, []string{"CAP_FLY"}, nil); !errdefs.IsInvalidArgument(err) {
		t.Errorf("unknown capability: %v", err)
	}
}

func TestPrivileged(t *testing.T) {
	s := generate(t, ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{Privileged: true})
	if s.Linux.Seccomp != nil || len(s.Linux.MaskedPaths) != 0 || len(s.Linux.ReadonlyPaths) != 0 {
		t.Error("privileged container keeps seccomp or masked paths")
	}
	if !slices.Contains(s.Process.Capabilities.Bounding, "CAP_SYS_ADMIN") {
		t.Error("privileged container lacks CAP_SYS_ADMIN")
	}
	if !slices.Contains(s.Mounts[3].Options, "rw") {
		t.Errorf("privileged /sys options %v, want rw", s.Mounts[3].Options)
	}
}

func TestResources(t *testing.T) {
	s := generate(t, ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{Resources: Resources{
		Memory: 64 << 20, MemoryReservation: 32 << 20, NanoCPUs: 5e8, CPUShares: 512, CpusetCpus: "0", PidsLimit: 100,
	}, Ulimits: []Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}}, OOMScoreAdj: ptr(500), CgroupsPath: "/berth/abc"})
	r := s.Linux.Resources
	if *r.Memory.Limit != 64<<20 || *r.Memory.Swap != 128<<20 || *r.Memory.Reservation != 32<<20 {
		t.Errorf("memory %+v, want swap twice the limit", r.Memory)
	}
	if *r.CPU.Quota != 50000 || *r.CPU.Period != 100000 || *r.CPU.Shares != 512 || r.CPU.Cpus != "0" || *r.Pids.Limit != 100 {
		t.Errorf("cpu %+v pids %+v", r.CPU, r.Pids)
	}
	if diff := cmp.Diff([]specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 1024, Hard: 2048}}, s.Process.Rlimits); diff != "" {
		t.Errorf("rlimits:\n%s", diff)
	}
	if *s.Process.OOMScoreAdj != 500 || s.Linux.CgroupsPath != "/berth/abc" {
		t.Errorf("oom %d cgroup %q", *s.Process.OOMScoreAdj, s.Linux.CgroupsPath)
	}
	for name, r := range map[string]Resources{
		"memory below 6MB":   {Memory: 1 << 20},
		"swap without limit": {MemorySwap: 1 << 30},
		"swap below limit":   {Memory: 1 << 30, MemorySwap: 1 << 29},
		"too many cpus":      {NanoCPUs: int64(runtime.NumCPU()+1) * 1e9},
	} {
		if _, err := Generate(context.Background(), ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{Resources: r}); !errdefs.IsInvalidArgument(err) {
			t.Errorf("%s: %v, want invalid argument", name, err)
		}
	}
}

func TestMounts(t *testing.T) {
	s := generate(t, ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{
		ReadOnly: true, ShmSize: 1 << 20, HostsPath: "/h/hosts",
		Tmpfs: map[string]string{"/run": "size=1m,exec"},
		Mounts: []Mount{
			{Type: "bind", Source: "/srv/data/sub", Target: "/data/sub"},
			{Type: "volume", Source: "/var/lib/berth/volumes/v/_data", Target: "/data", ReadOnly: true},
			{Type: "tmpfs", Target: "/cache", TmpfsSize: 1 << 20},
		},
	})
	byDest := map[string]specs.Mount{}
	var order []string
	for _, m := range s.Mounts {
		byDest[m.Destination] = m
		order = append(order, m.Destination)
	}
	if !slices.Contains(byDest["/dev/shm"].Options, "size=1048576") {
		t.Errorf("/dev/shm %v, want --shm-size", byDest["/dev/shm"].Options)
	}
	if !slices.Contains(byDest["/etc/hosts"].Options, "ro") || !s.Root.Readonly {
		t.Errorf("read-only container: root %+v, /etc/hosts %v", s.Root, byDest["/etc/hosts"].Options)
	}
	if diff := cmp.Diff([]string{"rbind", "rprivate", "ro"}, byDest["/data"].Options); diff != "" {
		t.Errorf("volume options:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"nosuid", "nodev", "noexec", "size=1m", "exec"}, byDest["/run"].Options); diff != "" {
		t.Errorf("--tmpfs options:\n%s", diff)
	}
	if slices.Index(order, "/data") > slices.Index(order, "/data/sub") {
		t.Errorf("/data/sub mounted before /data: %v", order)
	}
	// A user mount on a default destination replaces it.
	s = generate(t, ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{Mounts: []Mount{{Type: "bind", Source: "/host/shm", Target: "/dev/shm"}}})
	n := 0
	for _, m := range s.Mounts {
		if m.Destination == "/dev/shm" {
			n++
			if m.Source != "/host/shm" {
				t.Errorf("/dev/shm from %s, want the user's bind", m.Source)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d mounts on /dev/shm, want 1", n)
	}
	for _, bad := range []Mount{{Type: "bind", Source: "rel", Target: "/x"}, {Type: "bind", Source: "/x", Target: "rel"}, {Type: "nfs", Target: "/x"}} {
		if _, err := Generate(context.Background(), ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{Mounts: []Mount{bad}}); !errdefs.IsInvalidArgument(err) {
			t.Errorf("mount %+v: %v, want invalid argument", bad, err)
		}
	}
}

func TestNamespacesAndSysctls(t *testing.T) {
	s := generate(t, ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{
		Network: Namespace{Host: true}, PID: Namespace{Path: "/proc/42/ns/pid"}, UTS: Namespace{Host: true}, Hostname: "ignored",
		Sysctls: map[string]string{"kernel.shmmax": "1000"},
	})
	for _, n := range s.Linux.Namespaces {
		if n.Type == specs.NetworkNamespace || n.Type == specs.UTSNamespace {
			t.Errorf("host %s namespace listed", n.Type)
		}
		if n.Type == specs.PIDNamespace && n.Path != "/proc/42/ns/pid" {
			t.Errorf("pid namespace path %q", n.Path)
		}
	}
	if s.Hostname != "" {
		t.Errorf("hostname %q set with the host UTS namespace", s.Hostname)
	}
	for _, o := range []Options{
		{Sysctls: map[string]string{"kernel.panic": "1"}},
		{Network: Namespace{Host: true}, Sysctls: map[string]string{"net.ipv4.ip_forward": "1"}},
	} {
		o.Entrypoint = []string{"sh"}
		if _, err := Generate(context.Background(), ocispec.ImageConfig{}, o); !errdefs.IsInvalidArgument(err) {
			t.Errorf("sysctls %v: %v, want invalid argument", o.Sysctls, err)
		}
	}
}

func TestStopSignal(t *testing.T) {
	for in, want := range map[string]unix.Signal{
		"": unix.SIGTERM, "9": unix.SIGKILL, "SIGQUIT": unix.SIGQUIT, "hup": unix.SIGHUP, "SIGRTMIN+3": unix.Signal(37), "RTMAX-1": unix.Signal(63),
	} {
		got, err := StopSignal(ocispec.ImageConfig{StopSignal: in}, "")
		if err != nil || got != want {
			t.Errorf("StopSignal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got, _ := StopSignal(ocispec.ImageConfig{StopSignal: "SIGQUIT"}, "SIGUSR1"); got != unix.SIGUSR1 {
		t.Errorf("--stop-signal does not override the image: %v", got)
	}
	for _, bad := range []string{"SIGFOO", "0", "99", "RTMIN+40"} {
		if _, err := ParseSignal(bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("ParseSignal(%q) = %v, want invalid argument", bad, err)
		}
	}
}

func TestWorkdirMustBeAbsolute(t *testing.T) {
	_, err := Generate(context.Background(), ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{WorkingDir: "rel/dir"})
	if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), "rel/dir") {
		t.Errorf("relative workdir: %v", err)
	}
}

func TestPrivilegedGetsHostDevices(t *testing.T) {
	if _, err := os.Stat("/dev/null"); err != nil {
		t.Skip("no /dev/null")
	}
	s := generate(t, ocispec.ImageConfig{Cmd: []string{"sh"}}, Options{Privileged: true})
	found := false
	for _, d := range s.Linux.Devices {
		found = found || (d.Path == "/dev/null" && d.Type == "c" && d.Major == 1 && d.Minor == 3)
		if strings.HasPrefix(d.Path, "/dev/pts/") {
			t.Errorf("host pty %s given to the container", d.Path)
		}
	}
	if !found {
		t.Errorf("privileged devices lack /dev/null: %d devices", len(s.Linux.Devices))
	}
}

func TestCreateWorkdir(t *testing.T) {
	rootfs := t.TempDir()
	outside := t.TempDir()
	os.Symlink(outside, filepath.Join(rootfs, "srv"))
	s := generate(t, ocispec.ImageConfig{Cmd: []string{"sh"}, WorkingDir: "/srv/app"}, Options{})
	// The link dangles inside the rootfs: refused rather than followed out.
	if err := CreateWorkdir(rootfs, s); err == nil {
		t.Error("workdir created through a dangling symlink")
	}
	os.MkdirAll(filepath.Join(rootfs, outside), 0o755)
	if err := CreateWorkdir(rootfs, s); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("workdir created outside the rootfs: %v", entries)
	}
	if fi, err := os.Stat(filepath.Join(rootfs, outside, "app")); err != nil || !fi.IsDir() {
		t.Errorf("workdir not created inside the rootfs: %v", err)
	}
}
