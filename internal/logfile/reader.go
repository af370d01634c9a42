package logfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/containerd/errdefs"
)

// ReadOptions select what Read returns, as `docker logs` does.
type ReadOptions struct {
	Follow         bool      // keep returning new records until ctx ends
	Tail           int       // the last Tail records of the history only; -1 all
	Since, Until   time.Time // zero = unbounded; Since inclusive, Until inclusive
	Stdout, Stderr bool      // at least one
	Timestamps     bool      // for the caller's formatting; every Message carries its Time
}

// pollInterval is how often a follower looks for new records.
const pollInterval = 100 * time.Millisecond

// Read returns the log's records, oldest first, rotated files included; the
// channel closes at the end (or, with Follow, when ctx ends).
func Read(ctx context.Context, cfg Config, opts ReadOptions) (<-chan Message, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	driver, _ := cfg.driver()
	if driver == DriverNone {
		return nil, fmt.Errorf("configured logging driver does not support reading: %w", errdefs.ErrNotImplemented)
	}
	if !opts.Stdout && !opts.Stderr {
		return nil, fmt.Errorf("read logs: choose stdout, stderr or both: %w", errdefs.ErrInvalidArgument)
	}
	r := &reader{cfg: cfg, driver: driver, opts: opts, out: make(chan Message, 64), collecting: opts.Tail >= 0}
	go func() {
		defer close(r.out)
		if err := r.run(ctx); err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "read log", "path", cfg.Path, "err", err)
		}
	}()
	return r.out, nil
}

type reader struct {
	cfg        Config
	driver     string
	opts       ReadOptions
	out        chan Message
	ring       []Message // the tail, while reading history
	collecting bool      // reading history for a tail
	done       bool      // past Until
}

// rotated lists path.N … path.1 that exist, oldest first.
func (r *reader) rotated() []string {
	n := r.cfg.MaxFiles - 1
	if n < 1 {
		// Unknown or no rotation: look for what is there.
		for n = 0; ; n++ {
			if _, err := os.Stat(r.cfg.Path + "." + strconv.Itoa(n+1)); err != nil {
				break
			}
		}
	}
	var files []string
	for i := n; i >= 1; i-- {
		p := r.cfg.Path + "." + strconv.Itoa(i)
		if _, err := os.Stat(p); err == nil {
			files = append(files, p)
		}
	}
	return files
}

func (r *reader) run(ctx context.Context) error {
	for _, p := range r.rotated() {
		if err := r.readFile(ctx, p); err != nil {
			return err
		}
	}
	f, err := r.openCurrent(ctx)
	if f == nil {
		return r.flushTail(ctx, err)
	}
	defer func() { f.Close() }()
	dec := newDecoder(r.driver, f)
	if err := r.drain(ctx, dec); err != nil {
		return err
	}
	if err := r.flushTail(ctx, nil); err != nil || !r.opts.Follow {
		return err
	}
	for !r.done {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pollInterval):
		}
		// Drain first: records written just before a rotation are in
		// the old file.
		if err := r.drain(ctx, dec); err != nil {
			return err
		}
		if g, reopened := r.checkRotation(f); reopened {
			f.Close()
			f = g
			dec = newDecoder(r.driver, f)
		}
		if err := r.drain(ctx, dec); err != nil {
			return err
		}
	}
	return nil
}

// openCurrent opens the live file; following, it waits for it to appear.
func (r *reader) openCurrent(ctx context.Context) (*os.File, error) {
	for {
		f, err := os.Open(r.cfg.Path)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open log: %w", err)
		}
		if !r.opts.Follow {
			return nil, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil
		case <-time.After(pollInterval):
		}
	}
}

// checkRotation returns the new live file when the writer rotated
// (renamed or truncated) the one f reads. Records written to the old file
// before the rename were already drained.
func (r *reader) checkRotation(f *os.File) (*os.File, bool) {
	cur, err := f.Stat()
	if err != nil {
		return nil, false
	}
	st, err := os.Stat(r.cfg.Path)
	if err != nil {
		return nil, false
	}
	if !os.SameFile(cur, st) {
		g, err := os.Open(r.cfg.Path)
		if err != nil {
			return nil, false
		}
		return g, true
	}
	if off, err := f.Seek(0, io.SeekCurrent); err == nil && st.Size() < off {
		g, err := os.Open(r.cfg.Path)
		if err != nil {
			return nil, false
		}
		return g, true
	}
	return nil, false
}

func (r *reader) readFile(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil // rotated away meanwhile
		}
		return fmt.Errorf("open log: %w", err)
	}
	defer f.Close()
	return r.drain(ctx, newDecoder(r.driver, f))
}

// drain hands every complete record to emit.
func (r *reader) drain(ctx context.Context, dec decoder) error {
	for !r.done {
		m, err := dec.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if _, ok := dec.(*jsonDecoder); ok {
				continue // one bad line; the next is independent
			}
			return err
		}
		if err := r.emit(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) emit(ctx context.Context, m Message) error {
	if (m.Stream == Stdout && !r.opts.Stdout) || (m.Stream == Stderr && !r.opts.Stderr) {
		return nil
	}
	if !r.opts.Since.IsZero() && m.Time.Before(r.opts.Since) {
		return nil
	}
	if !r.opts.Until.IsZero() && m.Time.After(r.opts.Until) {
		r.done = true
		return nil
	}
	if r.collecting {
		r.keep(m)
		return nil
	}
	return r.send(ctx, m)
}

// keep holds the last Tail records while the history is read.
func (r *reader) keep(m Message) {
	if r.opts.Tail == 0 {
		return
	}
	r.ring = append(r.ring, m)
	if len(r.ring) > r.opts.Tail {
		r.ring = r.ring[1:]
	}
}

// flushTail sends the kept tail once the history is read; err passes through.
func (r *reader) flushTail(ctx context.Context, err error) error {
	if r.collecting {
		r.collecting = false
		for _, m := range r.ring {
			if serr := r.send(ctx, m); serr != nil {
				return serr
			}
		}
		r.ring = nil
	}
	return err
}

func (r *reader) send(ctx context.Context, m Message) error {
	select {
	case r.out <- m:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
