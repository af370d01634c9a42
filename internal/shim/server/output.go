package server

import (
	"net"
	"sync"
	"time"

	"github.com/berthproject/berth/internal/shim"
)

// maxKept bounds what an exec's output keeps for its first attach, and
// keptTTL how long after the exec's end (a detached exec is never attached).
const (
	maxKept = 256 * 1024
	keptTTL = time.Minute
)

// writeTimeout drops an attached client that stops reading, so that it
// never stalls the container's output (and its log).
const writeTimeout = 10 * time.Second

type chunk struct {
	stream byte
	data   []byte
}

// attachment is one attached client's connection.
type attachment struct {
	conn           net.Conn
	stdout, stderr bool
	done           chan struct{} // closed when the output ends or the client goes
	once           sync.Once
}

func (a *attachment) end() { a.once.Do(func() { close(a.done) }) }

func (a *attachment) wants(stream byte) bool {
	return stream == shim.StreamStdout && a.stdout || stream == shim.StreamStderr && a.stderr
}

// output fans one process's output out to its attached clients.
type output struct {
	mu     sync.Mutex
	raw    bool // a terminal: no multiplexing
	subs   []*attachment
	keep   bool // hold output until the first attach (execs)
	kept   []chunk
	size   int
	closed bool
	frame  []byte
}

func (o *output) write(stream byte, p []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.keep && o.size+len(p) <= maxKept {
		o.kept = append(o.kept, chunk{stream, append([]byte(nil), p...)})
		o.size += len(p)
	}
	for i := 0; i < len(o.subs); {
		a := o.subs[i]
		if a.wants(stream) && !o.send(a, stream, p) {
			o.subs = append(o.subs[:i], o.subs[i+1:]...)
			a.end()
			continue
		}
		i++
	}
}

// send writes one chunk to a; false if the client is gone.
func (o *output) send(a *attachment, stream byte, p []byte) bool {
	data := p
	if !o.raw {
		o.frame = shim.AppendFrame(o.frame[:0], stream, p)
		data = o.frame
	}
	_ = a.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := a.conn.Write(data)
	return err == nil
}

// add attaches a client: it first gets what was kept, and at once its end
// if the output already ended.
func (o *output) add(a *attachment) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ok := true
	for _, c := range o.kept {
		if ok && a.wants(c.stream) {
			ok = o.send(a, c.stream, c.data)
		}
	}
	o.keep, o.kept, o.size = false, nil, 0
	if o.closed || !ok {
		a.end()
		return
	}
	o.subs = append(o.subs, a)
}

func (o *output) remove(a *attachment) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, x := range o.subs {
		if x == a {
			o.subs = append(o.subs[:i], o.subs[i+1:]...)
			break
		}
	}
	a.end()
}

// close ends every attachment: the process's output is complete.
func (o *output) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	for _, a := range o.subs {
		a.end()
	}
	o.subs = nil
}

// dropKept forgets output nobody came to attach for.
func (o *output) dropKept() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.keep, o.kept, o.size = false, nil, 0
}
