// Package network is berth's network service: bridge networks (Docker's
// default "bridge" on berth0 and user-defined ones), IPAM, per-container
// endpoints (veth pairs into the container's network namespace), published
// ports and outbound NAT in berth's own nftables table, and the embedded DNS
// server of containers on user-defined networks.
//
// Lifecycle: the daemon calls New once at start (it loads the records,
// re-creates missing bridges and re-applies the rule set), then Reconcile
// with the set of live containers (stale endpoints are removed, the DNS
// servers and port reservations of live ones come back). The container
// service calls Attach when a container's namespace exists and before its
// process runs, and Detach (or DetachAll) when it stops; the kernel side of
// a detach finishes in the background (Settle waits for it). Close, at
// daemon shutdown, stops DNS servers and frees port reservations but leaves
// the kernel state: running containers keep their network. Teardown
// removes that state too.
//
// One Manager owns its nftables table and bridges: two daemons must not
// share a table name or a default bridge name.
package network

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/berthproject/berth/internal/network/dns"
	"github.com/berthproject/berth/internal/network/etcfiles"
	"github.com/berthproject/berth/internal/network/ipam"
	"github.com/berthproject/berth/internal/network/link"
)

// Config configures the network service.
type Config struct {
	Store Store
	// Table is berth's nftables table (family ip); default "berth".
	Table string
	// DefaultBridge is the default network's bridge; default "berth0".
	// NoDefaultNetwork skips creating the default network.
	DefaultBridge    string
	DefaultSubnet    netip.Prefix // zero: Docker's choice, the first free default pool
	NoDefaultNetwork bool
	// Upstreams receive the names the embedded DNS does not know; zero
	// means the host's resolvers from /etc/resolv.conf (loopback ones
	// included: the queries leave from the host's namespace).
	Upstreams []netip.AddrPort
	Logger    *slog.Logger
}

// Manager is the network service. Its methods are safe for concurrent use.
type Manager struct {
	cfg   Config
	log   *slog.Logger
	mu    sync.Mutex
	nets  map[string]*Network  // by ID
	eps   map[string]*Endpoint // by ID
	pools map[string]*ipam.Pool
	ports *portReservations
	dns   map[string]*dns.Server // by container ID
	// retiring: detached endpoints whose kernel side is being removed.
	retiring retirement
	// view is an immutable copy of nets and eps for DNS lookups, which
	// must not wait on mu (Detach holds it while stopping a server).
	view atomic.Pointer[view]
}

// New loads the networks and endpoints, makes the predefined networks,
// re-creates missing bridges and applies the rule set.
func New(ctx context.Context, cfg Config) (*Manager, error) {
	if cfg.Table == "" {
		cfg.Table = "berth"
	}
	if cfg.DefaultBridge == "" {
		cfg.DefaultBridge = "berth0"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	m := &Manager{cfg: cfg, log: cfg.Logger, nets: map[string]*Network{}, eps: map[string]*Endpoint{},
		pools: map[string]*ipam.Pool{}, ports: newPortReservations(), dns: map[string]*dns.Server{}}
	if err := m.load(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.ensurePredefined(ctx); err != nil {
		return nil, err
	}
	for _, n := range m.nets {
		if n.Driver != "bridge" {
			continue
		}
		if err := link.EnsureBridge(n.Bridge, netip.PrefixFrom(n.Gateway, n.Subnet.Bits()), n.MTU); err != nil {
			return nil, fmt.Errorf("network %s: %w", n.Name, err)
		}
		if !n.Internal { // after a reboot, forwarding is off again
			if err := link.EnableForwarding(); err != nil {
				return nil, err
			}
		}
	}
	if err := m.applyRules(); err != nil {
		return nil, err
	}
	m.publish()
	return m, nil
}

func (m *Manager) load(ctx context.Context) error {
	recs, err := m.cfg.Store.List(ctx)
	if err != nil {
		return fmt.Errorf("load networks: %w", err)
	}
	for key, raw := range recs {
		switch {
		case strings.HasPrefix(key, "network/"):
			var n Network
			if err := json.Unmarshal(raw, &n); err != nil {
				return fmt.Errorf("decode %s: %w", key, err)
			}
			m.nets[n.ID] = &n
		case strings.HasPrefix(key, "endpoint/"):
			var e Endpoint
			if err := json.Unmarshal(raw, &e); err != nil {
				return fmt.Errorf("decode %s: %w", key, err)
			}
			m.eps[e.ID] = &e
		}
	}
	for _, n := range m.nets {
		if n.Driver != "bridge" {
			continue
		}
		p, err := ipam.NewPool(n.Subnet, n.IPRange, n.Gateway)
		if err != nil {
			return fmt.Errorf("network %s: %w", n.Name, err)
		}
		if n.NextIP.IsValid() {
			p.Next = n.NextIP
		}
		m.pools[n.ID] = p
	}
	for id, e := range m.eps {
		p, ok := m.pools[e.NetworkID]
		if !ok { // network record gone: an orphan from a crash
			m.log.Warn("dropping endpoint of a missing network", "endpoint", id, "network", e.NetworkID)
			_ = link.DeleteLink(e.HostIfName)
			delete(m.eps, id)
			_ = m.cfg.Store.Delete(ctx, "endpoint/"+id)
			continue
		}
		p.Mark(e.IP())
	}
	return nil
}

func (m *Manager) upstreams() []netip.AddrPort {
	if len(m.cfg.Upstreams) > 0 {
		return m.cfg.Upstreams
	}
	// Forwarded queries leave from the host's namespace, so the host's
	// loopback resolvers (systemd-resolved's 127.0.0.53) work here, unlike
	// in a container's own resolv.conf.
	data, _ := os.ReadFile("/etc/resolv.conf")
	servers := etcfiles.ParseResolv(data).Servers
	if len(servers) == 0 {
		servers = etcfiles.ParseResolv(nil).UpstreamServers() // Docker's public defaults
	}
	out := make([]netip.AddrPort, 0, len(servers))
	for _, s := range servers {
		out = append(out, netip.AddrPortFrom(s, 53))
	}
	return out
}

// Close finishes the removal of detached endpoints, then stops the
// embedded DNS servers and frees port reservations; the kernel state of
// live endpoints (bridges, veths, rules) stays for the running containers.
func (m *Manager) Close() error {
	_ = m.Settle(context.Background())
	m.mu.Lock()
	servers := m.dns
	m.dns = map[string]*dns.Server{}
	m.ports.closeAll()
	m.mu.Unlock()
	for _, s := range servers {
		_ = s.Close()
	}
	return nil
}

func newID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (m *Manager) putRecord(ctx context.Context, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if err := m.cfg.Store.Put(ctx, key, raw); err != nil {
		return fmt.Errorf("save %s: %w", key, err)
	}
	return nil
}
