package container

import (
	"context"
	"net"
	"testing"
	"time"

	mobycontainer "github.com/moby/moby/api/types/container"
)

// attachMonitor hands out one end of a pipe per Attach; the other Monitor
// methods are not used by attach.
type attachMonitor struct {
	Monitor
	conns []net.Conn // the monitor's ends
}

func (m *attachMonitor) Attach(ctx context.Context, id string, stdin, stdout, stderr bool) (net.Conn, error) {
	client, server := net.Pipe()
	m.conns = append(m.conns, server)
	return client, nil
}

func newAttachService(status mobycontainer.ContainerState) (*Service, *attachMonitor) {
	m := &attachMonitor{}
	s := &Service{cfg: Config{Monitor: m}, bg: context.Background(), byID: map[string]*entry{}, names: map[string]string{}, events: newBroker()}
	c := Container{ID: "0123456789abcdef0123456789abcdef", Name: "web"}
	c.State.Status = status
	s.byID[c.ID] = &entry{c: c, changed: make(chan struct{})}
	s.names[c.Name] = c.ID
	return s, m
}

// TestAttachPreparedBeforeStartGetsTheStream: docker run attaches, then
// starts as soon as the attach is answered; the attach must be registered
// by then, so a start that comes before anyone waits still connects it.
func TestAttachPreparedBeforeStartGetsTheStream(t *testing.T) {
	s, m := newAttachService("created")
	a, err := s.PrepareAttach("web", AttachOptions{Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	// The start runs before Wait is called.
	s.connectPending(context.Background(), s.byID["0123456789abcdef0123456789abcdef"], "0123456789abcdef0123456789abcdef")
	if len(m.conns) != 1 {
		t.Fatalf("start connected %d attaches, want 1", len(m.conns))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := a.Wait(ctx)
	if err != nil || conn == nil {
		t.Fatalf("Wait after the start: %v, %v", conn, err)
	}
	defer conn.Close()
	go func() { _, _ = m.conns[0].Write([]byte("pulled\n")) }()
	buf := make([]byte, 16)
	n, err := conn.Read(buf)
	if err != nil || string(buf[:n]) != "pulled\n" {
		t.Errorf("read %q, %v; want the container's output", buf[:n], err)
	}
	a.Cancel() // after Wait: must not close the stream Wait returned
	go func() { _, _ = m.conns[0].Write([]byte("more\n")) }()
	if n, err := conn.Read(buf); err != nil || string(buf[:n]) != "more\n" {
		t.Errorf("after Cancel, read %q, %v; the stream must stay open", buf[:n], err)
	}
}

// TestAttachCancelledBeforeStart: a withdrawn attach is not connected by
// the next start, and one connected meanwhile is closed.
func TestAttachCancelledBeforeStart(t *testing.T) {
	s, m := newAttachService("created")
	a, err := s.PrepareAttach("web", AttachOptions{Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	a.Cancel()
	e := s.byID["0123456789abcdef0123456789abcdef"]
	if len(e.pending) != 0 {
		t.Fatalf("%d attaches still pending after Cancel", len(e.pending))
	}
	s.connectPending(context.Background(), e, "0123456789abcdef0123456789abcdef")
	if len(m.conns) != 0 {
		t.Errorf("the start connected a cancelled attach")
	}

	b, _ := s.PrepareAttach("web", AttachOptions{Stdout: true})
	s.connectPending(context.Background(), e, "0123456789abcdef0123456789abcdef")
	b.Cancel() // the start connected it, nobody waited: closed
	if _, err := m.conns[0].Write([]byte("x")); err == nil {
		t.Errorf("the stream of a cancelled attach is still open")
	}
}
