package network

import (
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/berthproject/berth/internal/network/portspec"
	"github.com/containerd/errdefs"
	"golang.org/x/sys/unix"
)

// Ephemeral host ports come from Docker's range.
const (
	ephemeralFirst = 49153
	ephemeralLast  = 60999
)

// portReservations holds one bound (never listening) socket per published
// host port. Binding finds a port already used on the host before any rule
// exists, and keeps other programs from taking it; the socket never sees
// traffic, which the DNAT rules take first.
type portReservations struct {
	held map[portKey]*os.File
	next uint16
}

type portKey struct {
	proto string
	ip    netip.Addr
	port  uint16
}

func newPortReservations() *portReservations {
	return &portReservations{held: map[portKey]*os.File{}, next: ephemeralFirst}
}

// reserve binds every mapping, choosing host ports where asked; it returns
// the mappings with their host ports, or an error and no reservation.
func (r *portReservations) reserve(ms []portspec.Mapping) ([]portspec.Mapping, error) {
	out := make([]portspec.Mapping, 0, len(ms))
	for _, m := range ms {
		got, err := r.reserveOne(m)
		if err != nil {
			r.release(out)
			return nil, err
		}
		out = append(out, got)
	}
	return out, nil
}

func (r *portReservations) reserveOne(m portspec.Mapping) (portspec.Mapping, error) {
	if m.HostIP.IsValid() && !m.HostIP.Is4() {
		return m, fmt.Errorf("publish %s: IPv6 host addresses are not supported: %w", m, errdefs.ErrInvalidArgument)
	}
	try := func(port uint16) error {
		k := portKey{m.Proto, m.HostIP, port}
		if r.held[k] != nil {
			return fmt.Errorf("%w", unix.EADDRINUSE)
		}
		f, err := bindPort(m.Proto, m.HostIP, port)
		if err != nil {
			return err
		}
		r.held[k] = f
		return nil
	}
	var first, last uint16
	switch {
	case m.HostPort == 0:
		first, last = 0, 0
	case m.HostPortEnd > m.HostPort:
		first, last = m.HostPort, m.HostPortEnd
	default:
		first, last = m.HostPort, m.HostPort
	}
	if first == 0 {
		for i := 0; i <= ephemeralLast-ephemeralFirst; i++ {
			p := r.next
			r.next++
			if r.next > ephemeralLast {
				r.next = ephemeralFirst
			}
			if try(p) == nil {
				m.HostPort, m.HostPortEnd = p, 0
				return m, nil
			}
		}
		return m, fmt.Errorf("publish %s: no free ephemeral host port: %w", m, errdefs.ErrUnavailable)
	}
	var err error
	for p := int(first); p <= int(last); p++ {
		if err = try(uint16(p)); err == nil {
			m.HostPort, m.HostPortEnd = uint16(p), 0
			return m, nil
		}
	}
	host := "0.0.0.0"
	if m.HostIP.IsValid() {
		host = m.HostIP.String()
	}
	if errors.Is(err, unix.EADDRINUSE) {
		return m, fmt.Errorf("bind host port %s:%d-%d/%s: address already in use: %w", host, first, last, m.Proto, errdefs.ErrConflict)
	}
	if errors.Is(err, unix.EADDRNOTAVAIL) {
		return m, fmt.Errorf("bind host port on %s: not an address of this host: %w", host, errdefs.ErrInvalidArgument)
	}
	return m, fmt.Errorf("bind host port %s:%d/%s: %w", host, first, m.Proto, err)
}

func (r *portReservations) release(ms []portspec.Mapping) {
	for _, m := range ms {
		k := portKey{m.Proto, m.HostIP, m.HostPort}
		if f := r.held[k]; f != nil {
			f.Close()
			delete(r.held, k)
		}
	}
}

func (r *portReservations) closeAll() {
	for k, f := range r.held {
		f.Close()
		delete(r.held, k)
	}
}

func bindPort(proto string, ip netip.Addr, port uint16) (*os.File, error) {
	typ := unix.SOCK_STREAM
	if proto == "udp" {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	sa := &unix.SockaddrInet4{Port: int(port)}
	if ip.IsValid() {
		sa.Addr = ip.As4()
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), fmt.Sprintf("%s:%d/%s", ip, port, proto)), nil
}
