package ipam

import (
	"fmt"
	"net/netip"

	"github.com/containerd/errdefs"
)

// DefaultPools are Docker's default address pools for local networks:
// 172.17.0.0/16 … 172.31.0.0/16, then 192.168.0.0/16 cut into /20s. The
// default bridge takes the first free one, as docker0 does.
var DefaultPools = []PoolSpec{
	{Base: netip.MustParsePrefix("172.17.0.0/16"), Size: 16},
	{Base: netip.MustParsePrefix("172.18.0.0/15"), Size: 16},
	{Base: netip.MustParsePrefix("172.20.0.0/14"), Size: 16},
	{Base: netip.MustParsePrefix("172.24.0.0/13"), Size: 16},
	{Base: netip.MustParsePrefix("192.168.0.0/16"), Size: 20},
}

// PoolSpec is a range of addresses cut into subnets of prefix length Size.
type PoolSpec struct {
	Base netip.Prefix
	Size int
}

// ChooseSubnet returns the first subnet of pools that overlaps none of used
// (existing networks and the host's routes).
func ChooseSubnet(pools []PoolSpec, used []netip.Prefix) (netip.Prefix, error) {
	for _, ps := range pools {
		step := uint32(1) << (32 - ps.Size)
		count := uint32(1) << (ps.Size - ps.Base.Bits())
		base := toU32(ps.Base.Masked().Addr())
		for i := uint32(0); i < count; i++ {
			cand := netip.PrefixFrom(fromU32(base+i*step), ps.Size)
			if !overlapsAny(cand, used) {
				return cand, nil
			}
		}
	}
	return netip.Prefix{}, fmt.Errorf("all predefined address pools have been fully subnetted: %w", errdefs.ErrUnavailable)
}

func overlapsAny(p netip.Prefix, used []netip.Prefix) bool {
	for _, u := range used {
		if u.IsValid() && p.Overlaps(u) {
			return true
		}
	}
	return false
}

func toU32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func fromU32(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
