// Package dns is berth's embedded DNS server. As Docker's, one server runs
// per container on a user-defined network, listening on 127.0.0.11:53 (UDP
// and TCP) inside the container's own network namespace; it answers the
// names of the containers on the container's networks (names, aliases,
// short IDs) and forwards everything else to upstream resolvers.
//
// The sockets are created inside the container's namespace but served by
// goroutines of the daemon; forwarded queries leave from the daemon's (the
// host's) namespace, so an upstream on the host's loopback works too.
package dns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"sync"

	"github.com/miekg/dns"
	"github.com/vishvananda/netns"
)

// Address is where the server listens inside the container namespace.
var Address = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.11"), 53)

// Config tells a server what to answer. Both functions are called for
// every query and must be safe for concurrent use.
type Config struct {
	// Resolve returns the IPv4 addresses of name (lower case, without the
	// final dot) on the container's networks, and whether the name is known.
	Resolve func(name string) ([]netip.Addr, bool)
	// Upstreams lists where unknown names are forwarded; none (e.g. every
	// network of the container is internal) answers SERVFAIL.
	Upstreams func() []netip.AddrPort
	Logger    *slog.Logger
}

// Server is a running embedded DNS server of one container.
type Server struct {
	udp, tcp *dns.Server
	done     sync.WaitGroup
}

// Start listens on 127.0.0.11:53 in the namespace at netnsPath and serves
// until Close. The namespace's loopback must be up.
func Start(ctx context.Context, netnsPath string, cfg Config) (*Server, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	var pc net.PacketConn
	var ln net.Listener
	err := inNetns(netnsPath, func() error {
		var err error
		if pc, err = net.ListenPacket("udp4", Address.String()); err != nil {
			return err
		}
		if ln, err = net.Listen("tcp4", Address.String()); err != nil {
			pc.Close()
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded DNS in %s: listen %s: %w", netnsPath, Address, err)
	}
	h := &handler{cfg: cfg}
	// Shutdown of a server that has not started yet is refused, so Start
	// returns only once both serve: a Close right after cannot be lost.
	var started sync.WaitGroup
	started.Add(2)
	s := &Server{
		udp: &dns.Server{PacketConn: pc, Handler: h, NotifyStartedFunc: started.Done},
		tcp: &dns.Server{Listener: ln, Handler: h, NotifyStartedFunc: started.Done},
	}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		s.done.Add(1)
		go func() {
			defer s.done.Done()
			if err := srv.ActivateAndServe(); err != nil && !errors.Is(err, net.ErrClosed) {
				cfg.Logger.Warn("embedded DNS stopped", "netns", netnsPath, "err", err)
			}
		}()
	}
	started.Wait()
	return s, nil
}

// Close stops the server and closes its sockets.
func (s *Server) Close() error {
	err := errors.Join(s.udp.Shutdown(), s.tcp.Shutdown())
	s.done.Wait()
	return err
}

// inNetns runs fn on a thread switched into the namespace at path. Sockets
// made by fn stay in that namespace. If the thread cannot be switched back
// it stays locked, and the Go runtime ends it rather than reuse it.
func inNetns(path string, fn func() error) error {
	target, err := netns.GetFromPath(path)
	if err != nil {
		return fmt.Errorf("open network namespace: %w", err)
	}
	defer target.Close()
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("current network namespace: %w", err)
	}
	defer orig.Close()
	if err := netns.Set(target); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("enter network namespace: %w", err)
	}
	ferr := fn()
	if err := netns.Set(orig); err != nil {
		return errors.Join(ferr, fmt.Errorf("return to host network namespace: %w", err))
	}
	runtime.UnlockOSThread()
	return ferr
}
