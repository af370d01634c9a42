package e2e

import (
	"net/netip"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// RUN steps run on the default bridge network, as Docker's: an eth0 with
// an address of the bridge's subnet, a default route and /etc/hosts for
// it; the endpoint goes when the step ends, whether it passed or failed.
func TestBuildRunOnDefaultBridge(t *testing.T) {
	d := startNetDaemon(t)
	r := d.docker(t, nil, "network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "bridge")
	subnet, err := netip.ParsePrefix(strings.TrimSpace(r.stdout))
	if r.code != 0 || err != nil {
		t.Fatalf("bridge subnet: %s %v", r, err)
	}
	noVeth := func(when string) {
		t.Helper()
		out, err := exec.Command("ip", "-o", "link", "show", "master", d.bridge).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "" {
			t.Errorf("%s: interfaces left on bridge %s (%v):\n%s", when, d.bridge, err, out)
		}
	}

	df := "FROM nt:1\nRUN ip -4 addr show eth0 && cat /proc/net/route && cat /etc/hosts\n"
	for _, network := range []string{"", "bridge"} {
		args := []string{"build", "--no-cache"}
		if network != "" {
			args = append(args, "--network", network)
		}
		r = d.dockerLegacy(t, append(args, buildContextDir(t, df, map[string]string{}))...)
		if r.code != 0 {
			t.Fatalf("build with --network %q: %s", network, r)
		}
		m := regexp.MustCompile(`inet (\d+\.\d+\.\d+\.\d+)/\d+`).FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("--network %q: RUN has no IPv4 address on eth0:\n%s", network, r.stdout)
		}
		ip := netip.MustParseAddr(m[1])
		if !subnet.Contains(ip) {
			t.Errorf("--network %q: RUN address %s is not in the bridge subnet %s", network, ip, subnet)
		}
		if !regexp.MustCompile(`(?m)^eth0\s+00000000\s+[0-9A-F]{8}\s`).MatchString(r.stdout) {
			t.Errorf("--network %q: RUN has no default route via eth0:\n%s", network, r.stdout)
		}
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(ip.String()) + `\s+[0-9a-f]{12}$`).MatchString(r.stdout) {
			t.Errorf("--network %q: /etc/hosts does not name the step's address:\n%s", network, r.stdout)
		}
		noVeth("after a build with --network " + network)
	}

	// A failing step is detached too.
	r = d.dockerLegacy(t, "build", buildContextDir(t, "FROM nt:1\nRUN ip -4 addr show eth0 && exit 3\n", map[string]string{}))
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "returned a non-zero code: 3") {
		t.Errorf("failing RUN: %s", r)
	}
	noVeth("after a failed build")

	// --network none keeps loopback only.
	r = d.dockerLegacy(t, "build", "--network", "none", buildContextDir(t, "FROM nt:1\nRUN ! ip link show eth0\n", map[string]string{}))
	if r.code != 0 {
		t.Errorf("--network none has an eth0: %s", r)
	}
}
