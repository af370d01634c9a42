package registry

import (
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
)

// Progress is one of Docker's progress messages: a status line for an ID
// (a short layer digest, or none for the image), with a byte count while
// data moves. Aux carries the push result Docker sends after a push.
type Progress struct {
	ID      string
	Status  string
	Current int64
	Total   int64
	// Detail says Current and Total are set (a "Downloading" line).
	Detail bool
	Aux    any
}

// ProgressFunc receives progress; it is called from several goroutines
// but never concurrently (the service serialises the calls).
type ProgressFunc func(Progress)

// reporter serialises progress calls and ignores a nil func.
type reporter struct {
	mu sync.Mutex
	fn ProgressFunc
}

func newReporter(fn ProgressFunc) *reporter { return &reporter{fn: fn} }

func (r *reporter) send(p Progress) {
	if r == nil || r.fn == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fn(p)
}

func (r *reporter) status(id, status string) { r.send(Progress{ID: id, Status: status}) }

// shortID is Docker's layer ID in progress lines: 12 hex digits.
func shortID(d digest.Digest) string {
	e := d.Encoded()
	if len(e) > 12 {
		return e[:12]
	}
	return e
}

// byteCounter reports the bytes of one blob as they move, at most every
// progressEvery, so that a fast transfer does not flood the stream.
type byteCounter struct {
	r      *reporter
	id     string
	status string
	total  int64
	n      int64
	last   time.Time
}

const progressEvery = 100 * time.Millisecond

func (c *byteCounter) add(n int) {
	c.n += int64(n)
	if now := time.Now(); now.Sub(c.last) >= progressEvery || c.n == c.total {
		c.last = now
		c.r.send(Progress{ID: c.id, Status: c.status, Current: c.n, Total: c.total, Detail: true})
	}
}
