package container

import (
	"net/netip"
	"testing"

	"github.com/berthproject/berth/internal/network/portspec"
	"github.com/google/go-cmp/cmp"
	containertypes "github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
)

func TestPublishAllExposedPorts(t *testing.T) {
	cfg := &containertypes.Config{}
	mergeExposedPorts(cfg, map[string]struct{}{"80/tcp": {}, "53/udp": {}, "8080": {}, "bogus": {}})
	if len(cfg.ExposedPorts) != 3 {
		t.Fatalf("exposed ports %v, want 80/tcp 53/udp 8080/tcp", cfg.ExposedPorts)
	}
	c := &Container{Config: cfg, HostConfig: &containertypes.HostConfig{
		PublishAllPorts: true,
		PortBindings:    mobynet.PortMap{mobynet.MustParsePort("8080/tcp"): {{HostPort: "9000"}}},
	}}
	got, err := publishedMappings(c)
	if err != nil {
		t.Fatal(err)
	}
	want := []portspec.Mapping{
		{HostPort: 9000, ContainerPort: 8080, Proto: "tcp"},
		{ContainerPort: 53, Proto: "udp"},
		{ContainerPort: 80, Proto: "tcp"},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("publishedMappings (-want +got):\n%s", diff)
	}
	c.HostConfig.PublishAllPorts = false
	if got, _ := publishedMappings(c); len(got) != 1 {
		t.Errorf("without -P: %v, want the -p binding only", got)
	}
}
