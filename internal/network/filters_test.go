package network

import (
	"net/netip"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	mobynet "github.com/moby/moby/api/types/network"
)

func TestMatchFilters(t *testing.T) {
	web := &Network{ID: "abcdef", Name: "web-front", Driver: "bridge", Labels: map[string]string{"team": "a", "tmp": ""},
		Created: time.Now().Add(-time.Hour)}
	def := &Network{ID: "012345", Name: DefaultNetwork, Driver: "bridge", Created: time.Now()}
	host := &Network{ID: "999999", Name: HostNetwork, Driver: "host", Created: time.Now()}
	for _, c := range []struct {
		n       *Network
		busy    bool
		filters map[string][]string
		want    bool
	}{
		{web, false, nil, true},
		{web, false, map[string][]string{"name": {"front"}}, true},
		{web, false, map[string][]string{"name": {"back", "web"}}, true},
		{web, false, map[string][]string{"name": {"back"}}, false},
		{web, false, map[string][]string{"id": {"abc"}}, true},
		{web, false, map[string][]string{"id": {"bcd"}}, false},
		{web, false, map[string][]string{"label": {"team=a"}}, true},
		{web, false, map[string][]string{"label": {"team=b"}}, false},
		{web, false, map[string][]string{"label": {"tmp"}}, true},
		{web, false, map[string][]string{"label!": {"tmp"}}, false},
		{web, false, map[string][]string{"type": {"custom"}}, true},
		{def, false, map[string][]string{"type": {"builtin"}}, true},
		{host, false, map[string][]string{"type": {"custom"}}, false},
		{web, false, map[string][]string{"dangling": {"true"}}, true},
		{web, true, map[string][]string{"dangling": {"true"}}, false},
		{def, false, map[string][]string{"dangling": {"true"}}, false},
		{web, false, map[string][]string{"driver": {"bridge"}, "scope": {"local"}}, true},
		{host, false, map[string][]string{"driver": {"bridge"}}, false},
		{web, false, map[string][]string{"until": {"30m"}}, true},
		{def, false, map[string][]string{"until": {"30m"}}, false},
	} {
		if got := Match(c.n, c.busy, c.filters); got != c.want {
			t.Errorf("Match(%s, busy=%v, %v) = %v, want %v", c.n.Name, c.busy, c.filters, got, c.want)
		}
	}
	for _, bad := range []map[string][]string{{"until": {"yesterday"}}, {"type": {"odd"}}, {"dangling": {"maybe"}}} {
		if _, err := PruneMatch(bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("PruneMatch(%v) = %v, want invalid argument", bad, err)
		}
	}
}

func TestCreateOptionsFrom(t *testing.T) {
	yes, no := true, false
	o, err := CreateOptionsFrom(mobynet.CreateRequest{Name: "web", Internal: true, Labels: map[string]string{"a": "b"},
		Options: map[string]string{OptionMTU: "1400"},
		IPAM: &mobynet.IPAM{Driver: "default", Config: []mobynet.IPAMConfig{{Subnet: netip.MustParsePrefix("10.9.0.0/24"),
			IPRange: netip.MustParsePrefix("10.9.0.128/25"), Gateway: netip.MustParseAddr("10.9.0.254")}}}})
	if err != nil || o.Name != "web" || !o.Internal || o.Subnet.String() != "10.9.0.0/24" || o.IPRange.String() != "10.9.0.128/25" ||
		o.Gateway.String() != "10.9.0.254" || o.Labels["a"] != "b" {
		t.Fatalf("CreateOptionsFrom = %+v, %v", o, err)
	}
	for name, req := range map[string]mobynet.CreateRequest{
		"ipv4 off":      {Name: "x", EnableIPv4: &no},
		"swarm scope":   {Name: "x", Scope: "swarm"},
		"config only":   {Name: "x", ConfigOnly: true},
		"bad mtu":       {Name: "x", Options: map[string]string{OptionMTU: "big"}},
		"ipam driver":   {Name: "x", IPAM: &mobynet.IPAM{Driver: "dhcp"}},
		"two subnets":   {Name: "x", IPAM: &mobynet.IPAM{Config: []mobynet.IPAMConfig{{Subnet: netip.MustParsePrefix("10.1.0.0/24")}, {Subnet: netip.MustParsePrefix("10.2.0.0/24")}}}},
		"gateway alone": {Name: "x", IPAM: &mobynet.IPAM{Config: []mobynet.IPAMConfig{{Gateway: netip.MustParseAddr("10.1.0.1")}}}},
	} {
		if _, err := CreateOptionsFrom(req); !errdefs.IsInvalidArgument(err) {
			t.Errorf("%s: err %v, want invalid argument", name, err)
		}
	}
	if o, err := CreateOptionsFrom(mobynet.CreateRequest{Name: "v6", EnableIPv6: &yes}); err != nil || !o.EnableIPv6 {
		t.Errorf("EnableIPv6 is passed on (Create refuses it): %+v %v", o, err)
	}
}
