package network

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/berthproject/berth/internal/store"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (bridges, network namespaces, nftables)")
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// testEnv is one test's manager with its own database, nftables table and
// (optionally) default bridge.
type testEnv struct {
	t      testing.TB
	ctx    context.Context
	dbPath string
	db     *store.DB
	cfg    Config
	m      *Manager
}

func newEnv(t testing.TB, withDefault bool, upstreams ...netip.AddrPort) *testEnv {
	t.Helper()
	needRoot(t)
	env := &testEnv{t: t, ctx: context.Background(), dbPath: filepath.Join(t.TempDir(), "metadata.db")}
	env.cfg = Config{
		Table:            "berth_t" + randHex(4),
		DefaultBridge:    "bt" + randHex(4),
		NoDefaultNetwork: !withDefault,
		Upstreams:        upstreams,
	}
	if withDefault {
		env.cfg.DefaultSubnet = freeSubnet(t)
	}
	env.open()
	t.Cleanup(env.teardown)
	return env
}

func (env *testEnv) open() {
	t := env.t
	t.Helper()
	db, err := store.Open(env.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	env.db = db
	env.cfg.Store = DBStore(db)
	m, err := New(env.ctx, env.cfg)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	env.m = m
}

// restart simulates a daemon restart: the manager and database go away
// (kernel state stays) and come back from the database.
func (env *testEnv) restart(alive func(string) bool) {
	env.t.Helper()
	env.m.Close()
	env.db.Close()
	env.open()
	if err := env.m.Reconcile(env.ctx, alive); err != nil {
		env.t.Fatalf("Reconcile: %v", err)
	}
}

// teardown removes everything the test made, even after a failure: each
// network's endpoints, then the networks, then the table.
func (env *testEnv) teardown() {
	m := env.m
	if m == nil {
		return
	}
	m.mu.Lock()
	var cids []string
	for _, e := range m.eps {
		cids = append(cids, e.ContainerID)
	}
	var nets []*Network
	for _, n := range m.nets {
		nets = append(nets, n)
	}
	m.mu.Unlock()
	for _, c := range cids {
		_ = m.DetachAll(env.ctx, c)
	}
	for _, n := range nets {
		_ = m.Remove(env.ctx, n.ID)
		if n.Bridge != "" {
			_ = netlink.LinkDel(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: n.Bridge}})
		}
	}
	m.Close()
	_ = exec.Command("nft", "delete", "table", "ip", env.cfg.Table).Run()
	env.db.Close()
}

// freeSubnet picks a random 10.x.y.0/24 that no host route covers.
func freeSubnet(t testing.TB) netip.Prefix {
	t.Helper()
	routes, _ := netlink.RouteList(nil, netlink.FAMILY_V4)
	for i := 0; i < 100; i++ {
		b := make([]byte, 2)
		_, _ = rand.Read(b)
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 100 + b[0]%100, b[1], 0}), 24)
		free := true
		for _, r := range routes {
			if r.Dst == nil {
				continue
			}
			a, _ := netip.AddrFromSlice(r.Dst.IP.To4())
			ones, _ := r.Dst.Mask.Size()
			if ones > 0 && netip.PrefixFrom(a, ones).Overlaps(p) {
				free = false
			}
		}
		if free {
			return p
		}
	}
	t.Fatal("no free 10.x subnet")
	return netip.Prefix{}
}

// newNetns makes a network namespace removed at cleanup; the returned
// path is what a container's /proc/PID/ns/net would be.
func newNetns(t testing.TB) string {
	t.Helper()
	name := "bt" + randHex(5)
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	return "/run/netns/" + name
}

// inNetns runs fn on an OS thread inside the namespace at path.
func inNetns(t testing.TB, path string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		target, err := netns.GetFromPath(path)
		if err != nil {
			t.Errorf("open %s: %v", path, err)
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			t.Errorf("enter %s: %v", path, err)
			return
		}
		fn()
	}()
	<-done
}

// serveIn starts a TCP server inside the namespace, on port (0: any), that
// writes greeting and closes; it returns the server's port.
func serveIn(t testing.TB, path string, port uint16, greeting string) uint16 {
	t.Helper()
	var ln net.Listener
	inNetns(t, path, func() {
		var err error
		ln, err = net.Listen("tcp4", fmt.Sprintf("0.0.0.0:%d", port))
		if err != nil {
			t.Errorf("listen in %s: %v", path, err)
		}
	})
	if ln == nil {
		t.FailNow()
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintln(c, greeting)
			c.Close()
		}
	}()
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

// dial connects to addr (from the namespace at path, or the host if path
// is empty) and returns the first line, or an error.
func dial(t testing.TB, path string, addr netip.AddrPort) (string, error) {
	t.Helper()
	var line string
	var err error
	do := func() {
		var c net.Conn
		// A bound, not a timed assertion: a dropped SYN must not hang the test.
		c, err = net.DialTimeout("tcp4", addr.String(), 2*time.Second)
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		line, err = bufio.NewReader(c).ReadString('\n')
		line = strings.TrimSpace(line)
	}
	if path == "" {
		do()
	} else {
		inNetns(t, path, do)
	}
	return line, err
}

// hostAddr is an IPv4 address of the host that is not loopback and not a
// berth bridge: the machine's own address, as a client elsewhere would use.
func hostAddr(t testing.TB) netip.Addr {
	t.Helper()
	links, _ := netlink.LinkList()
	for _, l := range links {
		if l.Type() == "bridge" || l.Type() == "veth" || l.Attrs().Flags&net.FlagUp == 0 || l.Attrs().Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := netlink.AddrList(l, netlink.FAMILY_V4)
		for _, a := range addrs {
			if ip, ok := netip.AddrFromSlice(a.IP.To4()); ok && ip.IsGlobalUnicast() {
				return ip
			}
		}
	}
	t.Skip("the host has no non-loopback IPv4 address")
	return netip.Addr{}
}

func nftTable(table string) (string, bool) {
	out, err := exec.Command("nft", "list", "table", "ip", table).CombinedOutput()
	return string(out), err == nil
}

// outside makes a namespace routed from the host over a /30 veth link,
// standing in for the world beyond the host; it returns the namespace and
// its address, and the host end's address.
func outside(t testing.TB) (ns string, addr, hostEnd netip.Addr) {
	t.Helper()
	ns = newNetns(t)
	p := freeSubnet(t)
	base := p.Addr().As4()
	hostEnd = netip.AddrFrom4([4]byte{base[0], base[1], base[2], 1})
	addr = netip.AddrFrom4([4]byte{base[0], base[1], base[2], 2})
	hostIf, peerIf := "bo"+randHex(4), "bp"+randHex(4)
	nsName := strings.TrimPrefix(ns, "/run/netns/")
	for _, args := range [][]string{
		{"link", "add", hostIf, "type", "veth", "peer", "name", peerIf, "netns", nsName},
		{"addr", "add", hostEnd.String() + "/30", "dev", hostIf},
		{"link", "set", hostIf, "up"},
		{"-n", nsName, "addr", "add", addr.String() + "/30", "dev", peerIf},
		{"-n", nsName, "link", "set", peerIf, "up"},
		{"-n", nsName, "link", "set", "lo", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", hostIf).Run() })
	return ns, addr, hostEnd
}

// serveRemoteAddr serves, inside ns, the client's address as seen there.
func serveRemoteAddr(t testing.TB, ns string) uint16 {
	t.Helper()
	var ln net.Listener
	inNetns(t, ns, func() {
		var err error
		if ln, err = net.Listen("tcp4", "0.0.0.0:0"); err != nil {
			t.Errorf("listen: %v", err)
		}
	})
	if ln == nil {
		t.FailNow()
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintln(c, c.RemoteAddr().(*net.TCPAddr).IP.String())
			c.Close()
		}
	}()
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}
