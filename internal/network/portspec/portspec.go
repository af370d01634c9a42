// Package portspec parses Docker's -p/--publish syntax,
// [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|udp], with port ranges, into one
// Mapping per published container port.
package portspec

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/containerd/errdefs"
)

// Mapping publishes one container port. HostPort 0 asks for an ephemeral
// host port; an invalid HostIP means every host address (0.0.0.0).
type Mapping struct {
	HostIP   netip.Addr `json:"HostIP,omitzero"`
	HostPort uint16     `json:"HostPort"`
	// HostPortEnd, when above HostPort, lets the allocator take the first
	// free port of HostPort..HostPortEnd (Docker's "8000-8010:80").
	HostPortEnd   uint16 `json:"HostPortEnd,omitempty"`
	ContainerPort uint16 `json:"ContainerPort"`
	Proto         string `json:"Proto"` // "tcp" or "udp"
}

// String renders a mapping the way `docker port` does: 80/tcp -> 0.0.0.0:8080.
func (m Mapping) String() string {
	host := "0.0.0.0"
	if m.HostIP.IsValid() {
		host = m.HostIP.String()
	}
	return fmt.Sprintf("%d/%s -> %s", m.ContainerPort, m.Proto, netip.AddrPortFrom(mustAddr(host), m.HostPort))
}

func mustAddr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

// Parse parses one -p value. A host port range must be as long as the
// container port range, or go with a single container port, which then
// takes the first free port of the host range (Docker's "8000-8010:80").
func Parse(spec string) ([]Mapping, error) {
	bad := func(part, why string) error {
		return fmt.Errorf("invalid port spec %q: %s %q: %w", spec, why, part, errdefs.ErrInvalidArgument)
	}
	rest, proto, hasProto := strings.Cut(spec, "/")
	if !hasProto {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	if proto != "tcp" && proto != "udp" {
		return nil, bad(proto, "unsupported protocol")
	}
	var hostIP, hostPart, ctrPart string
	// An IPv6 host address is bracketed: [::1]:8080:80.
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 || len(rest) < end+2 || rest[end+1] != ':' {
			return nil, bad(rest, "bad bracketed host address in")
		}
		hostIP, rest = rest[1:end], rest[end+2:]
		hostPart, ctrPart, _ = strings.Cut(rest, ":")
		if !strings.Contains(rest, ":") {
			hostPart, ctrPart = "", rest
		}
	} else {
		parts := strings.Split(rest, ":")
		switch len(parts) {
		case 1:
			ctrPart = parts[0]
		case 2:
			hostPart, ctrPart = parts[0], parts[1]
		case 3:
			hostIP, hostPart, ctrPart = parts[0], parts[1], parts[2]
		default:
			return nil, bad(rest, "too many colons in")
		}
	}
	var ip netip.Addr
	if hostIP != "" {
		a, err := netip.ParseAddr(hostIP)
		if err != nil || a.Zone() != "" {
			return nil, bad(hostIP, "invalid host IP")
		}
		ip = a.Unmap()
		if ip.IsUnspecified() && ip.Is4() {
			ip = netip.Addr{}
		}
	}
	if ctrPart == "" {
		return nil, bad(spec, "no container port in")
	}
	cLo, cHi, err := parseRange(ctrPart, false)
	if err != nil {
		return nil, bad(ctrPart, "invalid container port "+err.Error())
	}
	hLo, hHi := uint16(0), uint16(0)
	if hostPart != "" {
		if hLo, hHi, err = parseRange(hostPart, true); err != nil {
			return nil, bad(hostPart, "invalid host port "+err.Error())
		}
	}
	n := int(cHi) - int(cLo) + 1
	switch {
	case hostPart == "":
	case int(hHi)-int(hLo)+1 == n:
	case n == 1 && hHi > hLo:
		// One container port, a host range: the first free port of the range.
		return []Mapping{{HostIP: ip, HostPort: hLo, HostPortEnd: hHi, ContainerPort: cLo, Proto: proto}}, nil
	default:
		return nil, bad(hostPart+":"+ctrPart, "host and container port ranges differ in length:")
	}
	out := make([]Mapping, 0, n)
	for i := 0; i < n; i++ {
		m := Mapping{HostIP: ip, ContainerPort: cLo + uint16(i), Proto: proto}
		if hostPart != "" {
			m.HostPort = hLo + uint16(i)
		}
		out = append(out, m)
	}
	return out, nil
}

// parseRange parses "80" or "8000-8010". Port 0 is allowed only on the host
// side, where it means "ephemeral", as in Docker.
func parseRange(s string, host bool) (uint16, uint16, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := parsePort(lo, host)
	if err != nil {
		return 0, 0, err
	}
	if !isRange {
		return a, a, nil
	}
	b, err := parsePort(hi, host)
	if err != nil {
		return 0, 0, err
	}
	if b < a {
		return 0, 0, fmt.Errorf("(range end below start)")
	}
	return a, b, nil
}

func parsePort(s string, allowZero bool) (uint16, error) {
	if s == "" || len(s) > 5 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("(not a number)")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > 65535 {
		return 0, fmt.Errorf("(out of range 1-65535)")
	}
	if n == 0 && !allowZero {
		return 0, fmt.Errorf("(out of range 1-65535)")
	}
	return uint16(n), nil
}
