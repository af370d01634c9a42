package ipam

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/containerd/errdefs"
)

func TestAllocateNeverTwiceAndWalksForward(t *testing.T) {
	p, err := NewPool(netip.MustParsePrefix("10.9.0.0/29"), netip.Prefix{}, netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Gateway.String() != "10.9.0.1" {
		t.Fatalf("gateway = %s, want 10.9.0.1", p.Gateway)
	}
	seen := map[netip.Addr]bool{}
	for i := 0; i < 5; i++ { // .2 … .6: .0 network, .1 gateway, .7 broadcast
		a, err := p.Allocate(netip.Addr{})
		if err != nil {
			t.Fatalf("allocation %d: %v", i, err)
		}
		if seen[a] {
			t.Fatalf("address %s handed out twice", a)
		}
		seen[a] = true
	}
	if _, err := p.Allocate(netip.Addr{}); !errors.Is(err, errdefs.ErrUnavailable) {
		t.Fatalf("full pool: err = %v, want Unavailable", err)
	}
	p.Release(netip.MustParseAddr("10.9.0.3"))
	a, err := p.Allocate(netip.Addr{})
	if err != nil || a.String() != "10.9.0.3" {
		t.Fatalf("after release got %s, %v; want 10.9.0.3", a, err)
	}
}

func TestReleasedAddressIsNotReusedAtOnce(t *testing.T) {
	p, _ := NewPool(netip.MustParsePrefix("10.9.0.0/24"), netip.Prefix{}, netip.Addr{})
	a, _ := p.Allocate(netip.Addr{})
	p.Release(a)
	b, _ := p.Allocate(netip.Addr{})
	if a == b {
		t.Fatalf("released %s handed out again at once", a)
	}
}

func TestRequestedAddress(t *testing.T) {
	p, _ := NewPool(netip.MustParsePrefix("10.9.0.0/24"), netip.MustParsePrefix("10.9.0.128/25"), netip.MustParseAddr("10.9.0.254"))
	want := netip.MustParseAddr("10.9.0.7") // outside the range, inside the subnet: allowed, as Docker
	if a, err := p.Allocate(want); err != nil || a != want {
		t.Fatalf("Allocate(%s) = %s, %v", want, a, err)
	}
	if _, err := p.Allocate(want); !errors.Is(err, errdefs.ErrConflict) {
		t.Fatalf("second Allocate(%s): %v, want Conflict", want, err)
	}
	for _, bad := range []string{"10.9.0.0", "10.9.0.255", "10.9.0.254", "10.10.0.1"} {
		if _, err := p.Allocate(netip.MustParseAddr(bad)); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("Allocate(%s): %v, want InvalidArgument", bad, err)
		}
	}
	a, _ := p.Allocate(netip.Addr{})
	if a.String() != "10.9.0.128" {
		t.Fatalf("first range address = %s, want 10.9.0.128", a)
	}
}

func TestNewPoolRejects(t *testing.T) {
	for _, tc := range []struct{ subnet, rng, gw string }{
		{"10.9.0.1/24", "", ""},
		{"10.9.0.0/31", "", ""},
		{"10.9.0.0/24", "10.10.0.0/25", ""},
		{"10.9.0.0/24", "10.8.0.0/16", ""},
		{"10.9.0.0/24", "", "10.9.1.1"},
		{"10.9.0.0/24", "", "10.9.0.255"},
		{"fd00::/64", "", ""},
	} {
		var rng netip.Prefix
		var gw netip.Addr
		if tc.rng != "" {
			rng = netip.MustParsePrefix(tc.rng)
		}
		if tc.gw != "" {
			gw = netip.MustParseAddr(tc.gw)
		}
		if _, err := NewPool(netip.MustParsePrefix(tc.subnet), rng, gw); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("NewPool(%+v) = %v, want InvalidArgument", tc, err)
		}
	}
}

func TestChooseSubnetAvoidsUsed(t *testing.T) {
	used := []netip.Prefix{netip.MustParsePrefix("172.16.0.0/12")}
	got, err := ChooseSubnet(DefaultPools, used)
	if err != nil || got.String() != "192.168.0.0/20" {
		t.Fatalf("ChooseSubnet = %s, %v; want 192.168.0.0/20", got, err)
	}
	got, _ = ChooseSubnet(DefaultPools, []netip.Prefix{netip.MustParsePrefix("172.17.5.0/24")})
	if got.String() != "172.18.0.0/16" {
		t.Fatalf("ChooseSubnet = %s, want 172.18.0.0/16", got)
	}
	all := []netip.Prefix{netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16")}
	if _, err := ChooseSubnet(DefaultPools, all); !errors.Is(err, errdefs.ErrUnavailable) {
		t.Fatalf("exhausted pools: %v", err)
	}
}
