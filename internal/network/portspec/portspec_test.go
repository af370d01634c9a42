package portspec

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	for _, tc := range []struct {
		spec string
		want []Mapping
	}{
		{"80", []Mapping{{ContainerPort: 80, Proto: "tcp"}}},
		{"8080:80", []Mapping{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}},
		{"127.0.0.1:8080:80/udp", []Mapping{{HostIP: lo, HostPort: 8080, ContainerPort: 80, Proto: "udp"}}},
		{"127.0.0.1::80", []Mapping{{HostIP: lo, ContainerPort: 80, Proto: "tcp"}}},
		{"0.0.0.0:80:80/TCP", []Mapping{{HostPort: 80, ContainerPort: 80, Proto: "tcp"}}},
		{"[::1]:8080:80", []Mapping{{HostIP: netip.MustParseAddr("::1"), HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}},
		{"8000-8001:80-81", []Mapping{
			{HostPort: 8000, ContainerPort: 80, Proto: "tcp"},
			{HostPort: 8001, ContainerPort: 81, Proto: "tcp"}}},
		{"53-54/udp", []Mapping{{ContainerPort: 53, Proto: "udp"}, {ContainerPort: 54, Proto: "udp"}}},
		{"8000-8010:80", []Mapping{{HostPort: 8000, HostPortEnd: 8010, ContainerPort: 80, Proto: "tcp"}}},
	} {
		got, err := Parse(tc.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.spec, err)
			continue
		}
		if d := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tc.spec, d)
		}
	}
}

func TestParseErrorsNameTheBadPart(t *testing.T) {
	for spec, part := range map[string]string{
		"99999:80":        `"99999"`,
		"abc":             `"abc"`,
		"80/sctp":         `"sctp"`,
		"1.2.3:80:80":     `"1.2.3"`,
		"8000-8002:80-81": "differ in length",
		"80:0":            `"0"`,
		"a:b:c:d":         "too many colons",
		"9000-8000:80":    "range end below start",
		"":                "no container port",
		"8080:":           "no container port",
	} {
		_, err := Parse(spec)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", spec)
			continue
		}
		if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("Parse(%q) = %v, not InvalidArgument", spec, err)
		}
		if !strings.Contains(err.Error(), part) {
			t.Errorf("Parse(%q) = %q, does not name %s", spec, err, part)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"80", "1.2.3.4:80:80/udp", "[::1]::80", "1-2:3-4", "8000-8010:80", "::", "a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		ms, err := Parse(spec)
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("Parse(%q): unclassified error %v", spec, err)
			}
			return
		}
		if len(ms) == 0 {
			t.Fatalf("Parse(%q) returned no mapping and no error", spec)
		}
		for _, m := range ms {
			if m.ContainerPort == 0 || (m.Proto != "tcp" && m.Proto != "udp") {
				t.Fatalf("Parse(%q) = bad mapping %+v", spec, m)
			}
			if m.HostPortEnd != 0 && m.HostPortEnd <= m.HostPort {
				t.Fatalf("Parse(%q) = bad host range %+v", spec, m)
			}
		}
	})
}
