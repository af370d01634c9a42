package link

import (
	"net/netip"
	"testing"

	"github.com/vishvananda/netlink"
)

func TestPortsListsEnslavedInterfaces(t *testing.T) {
	br, dummy := name(t, "bp"), name(t, "dp")
	if ports, err := Ports(br); err != nil || len(ports) != 0 {
		t.Fatalf("Ports of a missing bridge = %v, %v; want none", ports, err)
	}
	if err := EnsureBridge(br, netip.MustParsePrefix("10.254.78.1/24"), 0); err != nil {
		t.Fatal(err)
	}
	if ports, err := Ports(br); err != nil || len(ports) != 0 {
		t.Fatalf("Ports of an empty bridge = %v, %v", ports, err)
	}
	d := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: dummy}, PeerName: dummy + "p"}
	if err := netlink.LinkAdd(d); err != nil {
		t.Fatal(err)
	}
	b, err := netlink.LinkByName(br)
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetMaster(d, b); err != nil {
		t.Fatal(err)
	}
	if ports, err := Ports(br); err != nil || len(ports) != 1 || ports[0] != dummy {
		t.Errorf("Ports = %v, %v; want [%s]", ports, err, dummy)
	}
}
