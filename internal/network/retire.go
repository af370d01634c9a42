package network

import (
	"context"
	"sync"

	"github.com/berthproject/berth/internal/network/link"
	"github.com/berthproject/berth/internal/network/nft"
	"github.com/berthproject/berth/internal/network/portspec"
)

// Detaching is split in two. Detach itself forgets the endpoint (record,
// state, DNS names). The kernel side — the port map elements, and the veth
// if the container's namespace is gone (a stopped container: the kernel is
// tearing the namespace down and the veth with it) — is removed by a
// background retirer, batched: each deletion waits for a kernel RCU grace
// period of 10-30 ms. The veth of a running container (network disconnect)
// is deleted by Detach itself, so that its eth name is free at once.
// Until the retirer is done the endpoint's address and host ports stay
// reserved, so nothing can be handed the same address or port while the
// old rules exist; an Attach asking for one of those ports waits for it.

// retiree is a detached endpoint whose kernel side is not yet gone.
type retiree struct {
	netID  string
	hostIf string   // veth left to delete, or ""
	ep     Endpoint // for its address and ports
}

// retirement is the retirer's state, guarded by Manager.mu.
type retirement struct {
	queued   []retiree // detached, rules still wanted
	deleting []retiree // being deleted now: no longer in the wanted rules
	ports    map[protoPort]int
	done     chan struct{} // closed when the queue is empty; nil if idle
}

type protoPort struct {
	proto string
	port  uint16
}

// retire queues e's kernel side (mu held); hostIf is the veth still to
// delete, if any.
func (m *Manager) retire(e *Endpoint, hostIf string) {
	r := &m.retiring
	if r.ports == nil {
		r.ports = map[protoPort]int{}
	}
	r.queued = append(r.queued, retiree{netID: e.NetworkID, hostIf: hostIf, ep: *e})
	for _, p := range e.Ports {
		r.ports[protoPort{p.Proto, p.HostPort}]++
	}
	if r.done == nil {
		r.done = make(chan struct{})
		go m.retirer()
	}
}

func (m *Manager) retirer() {
	for {
		m.mu.Lock()
		r := &m.retiring
		batch := r.queued
		r.queued, r.deleting = nil, batch
		if len(batch) == 0 {
			close(r.done)
			r.done = nil
			m.mu.Unlock()
			return
		}
		var fwds []nft.Forward // the rules that exist (none on internal networks)
		for _, b := range batch {
			fwds = append(fwds, m.forwards(&b.ep)...)
		}
		m.mu.Unlock()

		var wg sync.WaitGroup
		for _, b := range batch {
			if b.hostIf == "" {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := link.DeleteLink(b.hostIf); err != nil {
					m.log.Warn("detach: delete veth", "veth", b.hostIf, "err", err)
				}
			}()
		}
		if err := nft.DeleteForwards(m.cfg.Table, fwds); err != nil {
			// Gone already (a full rewrite in between, or the table went
			// with the last network): make the table match the state.
			m.mu.Lock()
			if err := m.applyRules(); err != nil {
				m.log.Warn("detach: rewrite rules", "err", err)
			}
			m.mu.Unlock()
		}
		wg.Wait()

		m.mu.Lock()
		for _, b := range batch {
			m.ports.release(b.ep.Ports)
			for _, p := range b.ep.Ports {
				k := protoPort{p.Proto, p.HostPort}
				if r.ports[k]--; r.ports[k] <= 0 {
					delete(r.ports, k)
				}
			}
			if p := m.pools[b.netID]; p != nil {
				p.Release(b.ep.IP())
			}
		}
		r.deleting = nil
		m.mu.Unlock()
	}
}

// waitPorts returns, with mu held, once none of ms's fixed host ports
// belongs to an endpoint still being retired.
func (m *Manager) waitPorts(ctx context.Context, ms []portspec.Mapping) error {
	for {
		done := m.retiring.done
		if done == nil || !m.retiringAny(ms) {
			return nil
		}
		m.mu.Unlock()
		select {
		case <-done:
			m.mu.Lock()
		case <-ctx.Done():
			m.mu.Lock()
			return ctx.Err()
		}
	}
}

func (m *Manager) retiringAny(ms []portspec.Mapping) bool {
	for _, p := range ms {
		last := max(p.HostPortEnd, p.HostPort)
		for port := int(p.HostPort); p.HostPort != 0 && port <= int(last); port++ {
			if m.retiring.ports[protoPort{p.Proto, uint16(port)}] > 0 {
				return true
			}
		}
	}
	return false
}

// Settle waits until every detached endpoint is gone from the kernel
// (veth, port rules) and its address and ports are free again.
func (m *Manager) Settle(ctx context.Context) error {
	m.mu.Lock()
	done := m.retiring.done
	m.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
