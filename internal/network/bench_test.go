package network

import (
	"testing"
	"time"
)

// BenchmarkAttachDetach measures what the network adds to a container's
// start and stop on a user-defined network with one published port: veth,
// address, route, port reservation, rule set and DNS server, then the
// reverse. The namespace is made outside the timed loop.
func BenchmarkAttachDetach(b *testing.B) {
	env := newEnv(b, false)
	n, err := env.m.Create(env.ctx, CreateOptions{Name: "bench-" + randHex(3), Subnet: freeSubnet(b),
		Options: map[string]string{OptionBridgeName: "bt" + randHex(4)}})
	if err != nil {
		b.Fatal(err)
	}
	ns := newNetns(b)
	ports := mustPorts(b, "0:80")
	var attach, detach time.Duration
	for b.Loop() {
		o := EndpointOptions{ContainerID: randHex(32), Name: "c", NetNSPath: ns, Ports: ports}
		start := time.Now()
		if _, err := env.m.Attach(env.ctx, n.Name, o); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if err := env.m.DetachAll(env.ctx, o.ContainerID); err != nil {
			b.Fatal(err)
		}
		attach += mid.Sub(start)
		detach += time.Since(mid)
	}
	b.ReportMetric(float64(attach.Microseconds())/float64(b.N)/1000, "attach-ms/op")
	b.ReportMetric(float64(detach.Microseconds())/float64(b.N)/1000, "detach-ms/op")
}
