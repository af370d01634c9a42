package network

import (
	"os/exec"
	"testing"
	"time"
)

// BenchmarkAttachDetach measures what the network adds to a container's
// start and stop on a user-defined network with one published port: veth,
// address, route, port reservation, rule set and DNS server, then the
// reverse. Only Attach and Detach are timed (attach-ms, detach-ms).
func BenchmarkAttachDetach(b *testing.B) {
	env := newEnv(b, false)
	n, err := env.m.Create(env.ctx, CreateOptions{Name: "bench-" + randHex(3), Subnet: freeSubnet(b),
		Options: map[string]string{OptionBridgeName: "bt" + randHex(4)}})
	if err != nil {
		b.Fatal(err)
	}
	ports := mustPorts(b, "0:80")
	var attach, detach time.Duration
	for b.Loop() {
		// As for a container: a namespace, attached; the process exits
		// and takes the namespace (and the container end of the veth)
		// with it; then the container service detaches.
		name := "bt" + randHex(5)
		if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
			b.Fatalf("ip netns add: %v %s", err, out)
		}
		o := EndpointOptions{ContainerID: randHex(32), Name: "c", NetNSPath: "/run/netns/" + name, Ports: ports}
		start := time.Now()
		if _, err := env.m.Attach(env.ctx, n.Name, o); err != nil {
			b.Fatal(err)
		}
		attach += time.Since(start)
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			b.Fatalf("ip netns del: %v %s", err, out)
		}
		start = time.Now()
		if err := env.m.DetachAll(env.ctx, o.ContainerID); err != nil {
			b.Fatal(err)
		}
		detach += time.Since(start)
	}
	b.ReportMetric(float64(attach.Microseconds())/float64(b.N)/1000, "attach-ms/op")
	b.ReportMetric(float64(detach.Microseconds())/float64(b.N)/1000, "detach-ms/op")
}
