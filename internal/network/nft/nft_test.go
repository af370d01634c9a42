package nft

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (nftables)")
	}
}

func uniqueTable(t *testing.T) string {
	b := make([]byte, 4)
	rand.Read(b)
	name := "berth_t" + hex.EncodeToString(b)
	t.Cleanup(func() { _ = Apply(name, Ruleset{}) })
	return name
}

func listTable(t *testing.T, name string) (string, bool) {
	t.Helper()
	out, err := exec.Command("nft", "list", "table", "ip", name).CombinedOutput()
	return string(out), err == nil
}

func TestApplyWritesLayoutAndDeletesWhenEmpty(t *testing.T) {
	needRoot(t)
	name := uniqueTable(t)
	rs := Ruleset{
		Bridges: []Bridge{
			{Name: "btA", Subnet: netip.MustParsePrefix("10.201.0.0/24")},
			{Name: "btB", Subnet: netip.MustParsePrefix("10.202.0.0/24"), Internal: true},
		},
		Forwards: []Forward{
			{Proto: "tcp", HostPort: 8080, ContainerIP: netip.MustParseAddr("10.201.0.2"), ContainerPort: 80},
			{Proto: "udp", HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 5353, ContainerIP: netip.MustParseAddr("10.201.0.2"), ContainerPort: 53},
		},
	}
	if err := Apply(name, rs); err != nil {
		t.Fatal(err)
	}
	got, ok := listTable(t, name)
	if !ok {
		t.Fatalf("table %s missing after Apply", name)
	}
	for _, want := range []string{
		`fib daddr type local jump ports`,
		`dnat ip to ip daddr . meta l4proto . th dport map @ports_ip`,
		`dnat ip to meta l4proto . th dport map @ports_any`,
		`tcp . 8080 : 10.201.0.2 . 80`,
		`127.0.0.1 . udp . 5353 : 10.201.0.2 . 53`,
		`ip saddr 10.201.0.0/24 oifname != "btA" masquerade`,
		`oifname "btA" ip saddr 127.0.0.0/8 masquerade`,
		`iifname "btB" oifname != "btB" drop`,
		`ct status dnat accept`,
		`ct state established,related accept`,
		`oifname "btA" iifname != "btA" drop`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rule %q missing from:\n%s", want, got)
		}
	}
	if strings.Contains(got, `10.202.0.0/24 oifname != "btB" masquerade`) {
		t.Errorf("internal network is masqueraded:\n%s", got)
	}

	// Re-applying a smaller state replaces, not appends.
	rs.Forwards = rs.Forwards[:1]
	if err := Apply(name, rs); err != nil {
		t.Fatal(err)
	}
	got, _ = listTable(t, name)
	if strings.Contains(got, "5353") || strings.Count(got, "8080") != 1 {
		t.Errorf("stale or duplicated rules after re-apply:\n%s", got)
	}

	if err := Apply(name, Ruleset{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := listTable(t, name); ok {
		t.Fatalf("table %s still there after applying the empty state", name)
	}
	if err := Apply(name, Ruleset{}); err != nil {
		t.Fatalf("deleting an absent table: %v", err)
	}
}

// BenchmarkApply is the cost of one rule-set replacement (done at every
// Attach and Detach) with 10 networks and 20 published ports.
func BenchmarkApply(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root (nftables)")
	}
	name := "berth_b" + hex.EncodeToString([]byte{byte(os.Getpid()), byte(os.Getpid() >> 8)})
	b.Cleanup(func() { _ = Apply(name, Ruleset{}) })
	var rs Ruleset
	for i := 0; i < 10; i++ {
		rs.Bridges = append(rs.Bridges, Bridge{Name: "bb" + string(rune('a'+i)), Subnet: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 250, byte(i), 0}), 24)})
	}
	for i := 0; i < 20; i++ {
		rs.Forwards = append(rs.Forwards, Forward{Proto: "tcp", HostPort: uint16(20000 + i), ContainerIP: netip.MustParseAddr("10.250.0.2"), ContainerPort: 80})
	}
	for b.Loop() {
		if err := Apply(name, rs); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAddAndDeleteForwards(t *testing.T) {
	needRoot(t)
	name := uniqueTable(t)
	br := []Bridge{{Name: "btC", Subnet: netip.MustParsePrefix("10.203.0.0/24")}}
	f1 := Forward{Proto: "tcp", HostPort: 8081, ContainerIP: netip.MustParseAddr("10.203.0.2"), ContainerPort: 80}
	f2 := Forward{Proto: "udp", HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 5354, ContainerIP: netip.MustParseAddr("10.203.0.3"), ContainerPort: 53}
	if err := AddForwards(name, []Forward{f1}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("AddForwards before Apply: %v, want ErrNotExist", err)
	}
	if err := Apply(name, Ruleset{Bridges: br, Forwards: []Forward{f1}}); err != nil {
		t.Fatal(err)
	}
	if err := AddForwards(name, []Forward{f2}); err != nil {
		t.Fatal(err)
	}
	got, _ := listTable(t, name)
	if !strings.Contains(got, "tcp . 8081 : 10.203.0.2 . 80") || !strings.Contains(got, "127.0.0.1 . udp . 5354 : 10.203.0.3 . 53") {
		t.Fatalf("both ports expected:\n%s", got)
	}
	if err := DeleteForwards(name, []Forward{f1}); err != nil {
		t.Fatal(err)
	}
	if err := DeleteForwards(name, []Forward{f1}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("deleting twice: %v, want ErrNotExist", err)
	}
	got, _ = listTable(t, name)
	if strings.Contains(got, "8081") || !strings.Contains(got, "5354") {
		t.Fatalf("after deleting 8081:\n%s", got)
	}
}
