// Package ipam hands out IPv4 addresses from a network's subnet and chooses
// free subnets for new networks.
//
// A Pool is plain data: the network service keeps it in memory, rebuilds its
// allocations at start from the persisted endpoints (each endpoint record
// carries its address) and persists Next, so that an address is never
// handed out twice and a released one is not reused at once (as Docker,
// allocation walks forward and wraps around).
package ipam

import (
	"fmt"
	"net/netip"

	"github.com/containerd/errdefs"
)

// Pool allocates addresses in Range (a sub-prefix of Subnet, or Subnet).
type Pool struct {
	Subnet  netip.Prefix
	Range   netip.Prefix
	Gateway netip.Addr
	// Next is where the next search starts.
	Next      netip.Addr
	allocated map[netip.Addr]bool
}

// NewPool validates subnet, range and gateway and returns an empty pool.
// A zero range means the whole subnet; a zero gateway the subnet's first
// host address.
func NewPool(subnet, ipRange netip.Prefix, gateway netip.Addr) (*Pool, error) {
	if !subnet.IsValid() || !subnet.Addr().Is4() {
		return nil, fmt.Errorf("subnet %s: only IPv4 subnets are supported: %w", subnet, errdefs.ErrInvalidArgument)
	}
	if subnet != subnet.Masked() {
		return nil, fmt.Errorf("subnet %s is not a network address (did you mean %s?): %w", subnet, subnet.Masked(), errdefs.ErrInvalidArgument)
	}
	if subnet.Bits() > 30 {
		return nil, fmt.Errorf("subnet %s is too small (at most /30): %w", subnet, errdefs.ErrInvalidArgument)
	}
	if !ipRange.IsValid() {
		ipRange = subnet
	}
	ipRange = ipRange.Masked()
	if !ipRange.Addr().Is4() || ipRange.Bits() < subnet.Bits() || !subnet.Contains(ipRange.Addr()) {
		return nil, fmt.Errorf("ip-range %s is not inside subnet %s: %w", ipRange, subnet, errdefs.ErrInvalidArgument)
	}
	if !gateway.IsValid() {
		gateway = subnet.Addr().Next()
	}
	if !subnet.Contains(gateway) || gateway == subnet.Addr() || gateway == broadcast(subnet) {
		return nil, fmt.Errorf("gateway %s is not a host address of subnet %s: %w", gateway, subnet, errdefs.ErrInvalidArgument)
	}
	return &Pool{Subnet: subnet, Range: ipRange, Gateway: gateway, Next: ipRange.Addr(), allocated: map[netip.Addr]bool{}}, nil
}

// Mark records a as allocated (used when rebuilding the pool at start).
func (p *Pool) Mark(a netip.Addr) {
	p.allocated[a] = true
}

// InUse reports how many addresses are allocated (the gateway excluded).
func (p *Pool) InUse() int { return len(p.allocated) }

// Allocate returns want if it is a free host address of the subnet, or the
// next free address of the range when want is zero.
func (p *Pool) Allocate(want netip.Addr) (netip.Addr, error) {
	if want.IsValid() {
		want = want.Unmap()
		if !p.usable(want, p.Subnet) {
			return netip.Addr{}, fmt.Errorf("address %s is not a usable address of subnet %s: %w", want, p.Subnet, errdefs.ErrInvalidArgument)
		}
		if p.allocated[want] {
			return netip.Addr{}, fmt.Errorf("address %s is already in use: %w", want, errdefs.ErrConflict)
		}
		p.allocated[want] = true
		return want, nil
	}
	size := uint64(1) << (32 - p.Range.Bits())
	a := p.Next
	if !p.Range.Contains(a) {
		a = p.Range.Addr()
	}
	for i := uint64(0); i < size; i++ {
		if p.usable(a, p.Range) && !p.allocated[a] {
			p.allocated[a] = true
			p.Next = p.wrap(a.Next())
			return a, nil
		}
		a = p.wrap(a.Next())
	}
	return netip.Addr{}, fmt.Errorf("no free address left in %s: %w", p.Range, errdefs.ErrUnavailable)
}

// Release frees a; releasing a free address is a no-op.
func (p *Pool) Release(a netip.Addr) {
	delete(p.allocated, a)
}

func (p *Pool) wrap(a netip.Addr) netip.Addr {
	if !a.IsValid() || !p.Range.Contains(a) {
		return p.Range.Addr()
	}
	return a
}

// usable: inside within, not the subnet's network, broadcast or gateway address.
func (p *Pool) usable(a netip.Addr, within netip.Prefix) bool {
	return within.Contains(a) && a != p.Subnet.Addr() && a != broadcast(p.Subnet) && a != p.Gateway
}

func broadcast(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v |= host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
