package link

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/vishvananda/netlink"
)

func name(t *testing.T, prefix string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (netlink)")
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	n := prefix + hex.EncodeToString(b)
	t.Cleanup(func() { _ = DeleteLink(n) })
	return n
}

func TestEnsureBridgeIsIdempotentAndRefusesOtherKinds(t *testing.T) {
	br := name(t, "bl")
	gw := netip.MustParsePrefix("10.254.77.1/24")
	for i := 0; i < 2; i++ { // the second call adopts the existing bridge
		if err := EnsureBridge(br, gw, 1400); err != nil {
			t.Fatalf("EnsureBridge #%d: %v", i+1, err)
		}
	}
	l, err := netlink.LinkByName(br)
	if err != nil || l.Attrs().MTU != 1400 {
		t.Fatalf("bridge %s: %v, mtu %d", br, err, l.Attrs().MTU)
	}
	addrs, _ := netlink.AddrList(l, netlink.FAMILY_V4)
	if len(addrs) != 1 || addrs[0].IPNet.String() != gw.String() {
		t.Fatalf("addresses %v, want only %s", addrs, gw)
	}
	if v, _ := os.ReadFile("/proc/sys/net/ipv4/conf/" + br + "/route_localnet"); string(v) != "1\n" {
		t.Errorf("route_localnet = %q, want 1", v)
	}

	other := name(t, "bv")
	if out, err := exec.Command("ip", "link", "add", other, "type", "veth", "peer", "name", other+"p").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if err := EnsureBridge(other, gw, 0); !errors.Is(err, errdefs.ErrConflict) {
		t.Fatalf("EnsureBridge on a veth: %v, want Conflict", err)
	}
	if err := DeleteLink(br); err != nil || Exists(br) {
		t.Fatalf("DeleteLink: %v, exists %v", err, Exists(br))
	}
	if err := DeleteLink(br); err != nil {
		t.Fatalf("deleting an absent interface: %v", err)
	}
}

func TestAddVethIntoMissingNamespace(t *testing.T) {
	br := name(t, "bl")
	if err := EnsureBridge(br, netip.MustParsePrefix("10.254.78.1/24"), 0); err != nil {
		t.Fatal(err)
	}
	host := name(t, "vt")
	_, err := AddVeth(Veth{Bridge: br, HostName: host, NetNSPath: "/nonexistent/ns", Address: netip.MustParsePrefix("10.254.78.2/24")})
	if !errors.Is(err, errdefs.ErrNotFound) || Exists(host) {
		t.Fatalf("AddVeth into a missing namespace: %v (veth left: %v), want NotFound and nothing left", err, Exists(host))
	}
}
