package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// busyboxRootfs is a rootfs holding Debian's static busybox.
func busyboxRootfs(t *testing.T) string {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox-static not installed (make deps)")
	}
	root := t.TempDir()
	for _, d := range []string{"bin", "etc", "proc", "sys", "dev", "tmp"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "bin/busybox"), data, 0o755)
	for _, app := range []string{"sh", "id", "cat", "grep", "ls", "hostname", "mount", "wc", "touch", "echo"} {
		os.Symlink("busybox", filepath.Join(root, "bin", app))
	}
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/group"), []byte("root:x:0:\nwww:x:33:\nlog:x:4:www\n"), 0o644)
	return root
}

// The generated spec is accepted by runc, the reference runtime, and the
// container sees what Docker's would: its user and groups, seccomp in
// filter mode, no-new-privileges, masked /proc/kcore and a read-only /sys.
func TestSpecRunsUnderRunc(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a container")
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("runc not installed (make deps)")
	}
	rootfs := busyboxRootfs(t)
	id := fmt.Sprintf("berth-oci-test-%d", time.Now().UnixNano())
	script := `id; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; hostname
echo kcore=$(cat /proc/kcore | wc -c); touch /proc/sys/x 2>/dev/null || echo procsys=ro; touch /sys/x 2>/dev/null || echo sys=ro`
	spec, err := Generate(context.Background(), ocispec.ImageConfig{Cmd: []string{"sh", "-c", script}, User: "www"},
		Options{Rootfs: rootfs, Hostname: "web1", NoNewPrivileges: true, CgroupsPath: "/" + id})
	if err != nil {
		t.Fatal(err)
	}
	bundle := t.TempDir()
	b, _ := json.Marshal(spec)
	os.WriteFile(filepath.Join(bundle, "config.json"), b, 0o644)
	stateRoot := t.TempDir()
	t.Cleanup(func() { exec.Command(runc, "--root", stateRoot, "delete", "-f", id).Run() })
	cmd := exec.Command(runc, "--root", stateRoot, "run", "--bundle", bundle, id)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("runc run: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{"uid=33(www) gid=33(www) groups=4(log)", "Seccomp:\t2", "NoNewPrivs:\t1", "web1\n", "kcore=0", "procsys=ro", "sys=ro"} {
		if !strings.Contains(got, want) {
			t.Errorf("container output lacks %q:\n%s", want, got)
		}
	}
}
