// Package etcfiles renders a container's /etc/hosts and /etc/resolv.conf as
// Docker writes them. It only produces bytes; the container service writes
// them into the container's directory and bind-mounts them.
package etcfiles

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	"github.com/containerd/errdefs"
)

// HostEntry is one --add-host entry (host:ip).
type HostEntry struct {
	Name string
	IP   netip.Addr
}

// ParseAddHost parses --add-host's "name:ip" (or "name=ip"); the IP may be
// bracketed or a bare IPv6 address.
func ParseAddHost(s string) (HostEntry, error) {
	name, ip, ok := strings.Cut(s, "=")
	if !ok {
		name, ip, ok = strings.Cut(s, ":")
	}
	if !ok || name == "" {
		return HostEntry{}, fmt.Errorf("invalid --add-host %q: want HOST:IP: %w", s, errdefs.ErrInvalidArgument)
	}
	a, err := netip.ParseAddr(strings.Trim(ip, "[]"))
	if err != nil {
		return HostEntry{}, fmt.Errorf("invalid --add-host %q: bad IP address %q: %w", s, ip, errdefs.ErrInvalidArgument)
	}
	return HostEntry{Name: name, IP: a}, nil
}

// HostsOptions are the container facts /etc/hosts is made from.
type HostsOptions struct {
	Hostname   string
	Domainname string
	IPs        []netip.Addr // the container's own addresses; none for --network none/host
	Extra      []HostEntry  // --add-host, in command-line order
}

// Hosts renders /etc/hosts: Docker's localhost and IPv6 lines, the
// --add-host entries, then the container's own addresses with its hostname.
func Hosts(o HostsOptions) []byte {
	var b bytes.Buffer
	b.WriteString("127.0.0.1\tlocalhost\n")
	b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
	b.WriteString("fe00::\tip6-localnet\n")
	b.WriteString("ff00::\tip6-mcastprefix\n")
	b.WriteString("ff02::1\tip6-allnodes\n")
	b.WriteString("ff02::2\tip6-allrouters\n")
	for _, e := range o.Extra {
		fmt.Fprintf(&b, "%s\t%s\n", e.IP, e.Name)
	}
	names := o.Hostname
	if o.Domainname != "" && o.Hostname != "" {
		names = o.Hostname + "." + o.Domainname + " " + o.Hostname
	}
	if names != "" {
		for _, ip := range o.IPs {
			fmt.Fprintf(&b, "%s\t%s\n", ip, names)
		}
	}
	return b.Bytes()
}
