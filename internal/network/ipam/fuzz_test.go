package ipam

import (
	"net/netip"
	"testing"
)

// FuzzPool feeds --subnet/--ip-range/--gateway strings through parsing and
// NewPool, then allocates: whatever is accepted must hand out distinct
// usable addresses of the range.
func FuzzPool(f *testing.F) {
	f.Add("10.1.0.0/24", "", "")
	f.Add("10.1.0.0/24", "10.1.0.128/25", "10.1.0.254")
	f.Add("192.168.0.0/30", "", "192.168.0.2")
	f.Add("1.2.3.4/33", "x", "::1")
	f.Fuzz(func(t *testing.T, subnet, ipRange, gateway string) {
		s, err := netip.ParsePrefix(subnet)
		if err != nil {
			return
		}
		r, _ := netip.ParsePrefix(ipRange)
		g, _ := netip.ParseAddr(gateway)
		p, err := NewPool(s, r, g)
		if err != nil {
			return
		}
		seen := map[netip.Addr]bool{}
		for i := 0; i < 64; i++ {
			a, err := p.Allocate(netip.Addr{})
			if err != nil {
				return
			}
			if seen[a] || !p.Range.Contains(a) || a == p.Gateway || a == p.Subnet.Addr() || a == broadcast(p.Subnet) {
				t.Fatalf("pool %s range %s gw %s: bad or repeated address %s", p.Subnet, p.Range, p.Gateway, a)
			}
			seen[a] = true
		}
	})
}
