package e2e

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berthproject/berth/test/testimage"
)

// netDaemon is a daemon with a default bridge and an nftables table of its
// own, so that it never touches another daemon's (or the host's) network
// state, and the test image "nt:1": busybox plus /bin/nettool, EXPOSE 80.
type netDaemon struct {
	*daemon
	bridge, table string
	// bridges of user-defined networks seen at cleanup, checked gone too.
	bridges []string
}

// netFlags are the daemon flags of a netDaemon.
func (d *netDaemon) netFlags() []string {
	return []string{"--bridge", d.bridge, "--nft-table", d.table}
}

// startNetDaemon starts a netDaemon. When the test ends, its containers
// are removed, the daemon stops, and the test fails if its bridge or its
// table is still there (a daemon stopping with no container leaves nothing).
func startNetDaemon(t *testing.T) *netDaemon {
	t.Helper()
	needRoot(t)
	needDocker(t)
	suffix := randomHex(t, 4)
	d := &netDaemon{bridge: "bt" + suffix, table: "berth_" + suffix}
	// Registered first, so it runs last: after the daemon has stopped.
	t.Cleanup(func() {
		if tableExists(d.table) {
			t.Errorf("nftables table %s is still there after the daemon stopped:\n%s", d.table, nftTable(d.table))
			_ = exec.Command("nft", "delete", "table", "ip", d.table).Run()
		}
		for _, br := range append([]string{d.bridge}, d.bridges...) {
			if _, err := net.InterfaceByName(br); err == nil {
				t.Errorf("bridge %s is still there after the daemon stopped", br)
				_ = exec.Command("ip", "link", "delete", br).Run()
			}
		}
	})
	d.daemon = startDaemon(t, d.netFlags()...)
	t.Cleanup(func() { d.cleanup(t) })
	importNetImage(t, d.daemon)
	return d
}

// cleanup removes the containers (so that the daemon stops idle and takes
// its kernel state along) and notes the bridges of its networks.
func (d *netDaemon) cleanup(t *testing.T) {
	if !d.running() {
		return
	}
	removeAllContainers(t, d.daemon)
	r := d.docker(t, nil, "network", "ls", "-q", "--no-trunc", "-f", "type=custom")
	for _, id := range strings.Fields(r.stdout) {
		br := d.docker(t, nil, "network", "inspect", "-f", `{{index .Options "com.docker.network.bridge.name"}}`, id).stdout
		if br = strings.TrimSpace(br); br == "" {
			br = "br-" + id[:12]
		}
		d.bridges = append(d.bridges, br)
	}
}

// restart starts the daemon again (after stop or kill) with the same flags.
func (d *netDaemon) restart(t *testing.T) {
	t.Helper()
	d.daemon.start(t, d.netFlags()...)
	t.Cleanup(func() { d.cleanup(t) })
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func tableExists(table string) bool {
	return exec.Command("nft", "list", "table", "ip", table).Run() == nil
}

func nftTable(table string) string {
	out, _ := exec.Command("nft", "list", "table", "ip", table).CombinedOutput()
	return string(out)
}

// nettoolSource is the test image's network helper: a static Go binary,
// because busybox's wget and nc crash on failed lookups. Lookups use Go's
// own resolver on the container's /etc/resolv.conf.
const nettoolSource = `package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: nettool serve ADDR [TEXT] | get URL | lookup NAME | dial ADDR | udpecho ADDR | shmget KEY | shmfind KEY")
		os.Exit(2)
	}
	arg := os.Args[2]
	switch os.Args[1] {
	case "serve":
		text := "ok"
		if len(os.Args) > 3 {
			text = os.Args[3]
		}
		fail(http.ListenAndServe(arg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, text)
		})))
	case "get":
		c := http.Client{Timeout: 3 * time.Second}
		resp, err := c.Get(arg)
		fail(err)
		defer resp.Body.Close()
		_, err = io.Copy(os.Stdout, resp.Body)
		fail(err)
	case "lookup":
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupHost(ctx, arg)
		fail(err)
		for _, a := range addrs {
			fmt.Println(a)
		}
	case "dial":
		c, err := net.DialTimeout("tcp", arg, 2*time.Second)
		fail(err)
		c.Close()
		fmt.Println("connected")
	case "udpecho":
		pc, err := net.ListenPacket("udp", arg)
		fail(err)
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			fail(err)
			_, _ = pc.WriteTo(buf[:n], from)
		}
	case "shmget", "shmfind":
		key, err := strconv.Atoi(arg)
		fail(err)
		size, flags := uintptr(4096), uintptr(01000|0600) // IPC_CREAT
		if os.Args[1] == "shmfind" {
			size, flags = 0, 0
		}
		id, _, errno := syscall.Syscall(syscall.SYS_SHMGET, uintptr(key), size, flags)
		if errno != 0 {
			fail(errno)
		}
		fmt.Println(id)
	default:
		fail(fmt.Errorf("unknown command %s", os.Args[1]))
	}
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

// buildNettool compiles nettool statically into dir.
func buildNettool(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string]string{"go.mod": "module nettool\n\ngo 1.22\n", "main.go": nettoolSource} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-trimpath", "-o", "nettool", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build nettool: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(filepath.Join(dir, "nettool"))
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// importNetImage imports busybox with /bin/nettool as nt:1 (CMD sh, EXPOSE 80).
func importNetImage(t *testing.T, d *daemon) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tr := tar.NewReader(bytes.NewReader(testimage.RootfsTar(t)))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
	bin := buildNettool(t)
	if err := tw.WriteHeader(&tar.Header{Name: "bin/nettool", Mode: 0o755, Size: int64(len(bin)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(bin); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	r := d.docker(t, &buf, "import", "-c", `CMD ["sh"]`, "-c", "EXPOSE 80", "-", "nt:1")
	if r.code != 0 {
		t.Fatalf("import nt:1: %s", r)
	}
}

// freePort is a TCP port that nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// hostAddr is an IPv4 address of the host's own that is not loopback nor
// on a berth bridge (bridges of test daemons are named bt…), or "" if none.
func hostAddr(t *testing.T) string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 || strings.HasPrefix(ifc.Name, "bt") ||
			strings.HasPrefix(ifc.Name, "br-") || strings.HasPrefix(ifc.Name, "veth") || strings.HasPrefix(ifc.Name, "berth") {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
				return n.IP.String()
			}
		}
	}
	return ""
}

// httpGet fetches url from the host and returns the body, or "" and the
// error. It never waits long: a dropped packet is a failure, not a hang.
func httpGet(url string) (string, error) {
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// waitHTTP polls url until it answers want (the server in the container
// may not listen yet).
func waitHTTP(t *testing.T, url, want string) {
	t.Helper()
	var got string
	var err error
	for i := 0; i < 50; i++ {
		if got, err = httpGet(url); err == nil && got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("GET %s = %q, %v; want %q", url, got, err, want)
}

// execOut runs a command in a container with the docker CLI.
func (d *netDaemon) exec(t *testing.T, ctr string, args ...string) result {
	t.Helper()
	return d.docker(t, nil, append([]string{"exec", ctr}, args...)...)
}

// veths lists the interfaces enslaved to bridge.
func vethsOf(t *testing.T, bridge string) []string {
	t.Helper()
	out, err := exec.Command("ip", "-o", "link", "show", "master", bridge).CombinedOutput()
	if err != nil {
		return nil // the bridge is gone: nothing on it
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			names = append(names, strings.SplitN(strings.TrimSuffix(f[1], ":"), "@", 2)[0])
		}
	}
	return names
}

func itoa(n int) string { return strconv.Itoa(n) }

// mustRun runs a host command and fails the test on error.
func mustRun(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// runIP runs ip(8).
func runIP(args ...string) (string, error) {
	out, err := exec.Command("ip", args...).CombinedOutput()
	return string(out), err
}

// udpEcho sends msg to addr over UDP and returns the reply ("" on timeout).
func udpEcho(addr, msg string) (string, error) {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	buf := make([]byte, 1500)
	// The server may not listen yet: a few tries, each bounded.
	for i := 0; i < 20; i++ {
		if _, err := c.Write([]byte(msg)); err != nil {
			return "", err
		}
		_ = c.SetReadDeadline(time.Now().Add(250 * time.Millisecond))
		if n, err := c.Read(buf); err == nil {
			return string(buf[:n]), nil
		}
	}
	return "", fmt.Errorf("no UDP reply from %s", addr)
}
