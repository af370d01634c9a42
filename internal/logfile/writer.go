package logfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// Writer appends records to one container's log, rotating by size. It is
// safe for concurrent use (stdout and stderr are copied by two goroutines).
type Writer struct {
	mu     sync.Mutex
	cfg    Config
	driver string
	f      *os.File // nil for "none"
	size   int64
	buf    []byte
}

// NewWriter opens (appending to) the log described by cfg.
func NewWriter(cfg Config) (*Writer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d, _ := cfg.driver()
	w := &Writer{cfg: cfg, driver: d}
	if d == DriverNone {
		return w, nil
	}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writer) open() error {
	f, err := os.OpenFile(w.cfg.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("open log %s: %w", w.cfg.Path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log %s: %w", w.cfg.Path, err)
	}
	w.f, w.size = f, st.Size()
	return nil
}

// Write appends one record. A zero Time means now.
func (w *Writer) Write(m Message) error {
	if w.driver == DriverNone {
		return nil
	}
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return fmt.Errorf("log %s: %w", w.cfg.Path, os.ErrClosed)
	}
	var err error
	w.buf = w.buf[:0]
	if w.driver == DriverLocal {
		w.buf = encodeLocal(w.buf, m)
	} else if w.buf, err = encodeJSON(w.buf, m); err != nil {
		return fmt.Errorf("encode log record: %w", err)
	}
	if w.cfg.MaxSize > 0 && w.size > 0 && w.size+int64(len(w.buf)) > w.cfg.MaxSize {
		if err := w.rotate(); err != nil {
			return err
		}
	}
	n, err := w.f.Write(w.buf)
	w.size += int64(n)
	if err != nil {
		return fmt.Errorf("write log %s: %w", w.cfg.Path, err)
	}
	return nil
}

// rotate shifts path → path.1 → … → path.<MaxFiles-1> and starts afresh.
func (w *Writer) rotate() error {
	if w.cfg.MaxFiles <= 1 {
		if err := w.f.Truncate(0); err != nil {
			return fmt.Errorf("truncate log %s: %w", w.cfg.Path, err)
		}
		w.size = 0
		return nil
	}
	w.f.Close()
	w.f = nil
	last := w.cfg.Path + "." + strconv.Itoa(w.cfg.MaxFiles-1)
	if err := os.Remove(last); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("rotate log: %w", err)
	}
	for i := w.cfg.MaxFiles - 2; i >= 1; i-- {
		from := w.cfg.Path + "." + strconv.Itoa(i)
		if err := os.Rename(from, w.cfg.Path+"."+strconv.Itoa(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("rotate log: %w", err)
		}
	}
	if err := os.Rename(w.cfg.Path, w.cfg.Path+".1"); err != nil {
		return fmt.Errorf("rotate log: %w", err)
	}
	return w.open()
}

// Close closes the log file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// Stream returns a writer that splits what a process writes to one stream
// into lines, one record each. Close it to flush a last line without "\n".
func (w *Writer) Stream(stream string) io.WriteCloser {
	return &lineWriter{w: w, stream: stream}
}

type lineWriter struct {
	w       *Writer
	stream  string
	partial []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			room := MaxLine - len(l.partial)
			if len(p) < room {
				l.partial = append(l.partial, p...)
				break
			}
			l.partial = append(l.partial, p[:room]...)
			p = p[room:]
			if err := l.flush(); err != nil {
				return n, err
			}
			continue
		}
		l.partial = append(l.partial, p[:i+1]...)
		p = p[i+1:]
		for len(l.partial) > MaxLine {
			// A long line: emit MaxLine-sized partial records first.
			head := l.partial[:MaxLine]
			if err := l.w.Write(Message{Stream: l.stream, Line: head}); err != nil {
				return n, err
			}
			l.partial = append(l.partial[:0], l.partial[MaxLine:]...)
		}
		if err := l.flush(); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (l *lineWriter) flush() error {
	if len(l.partial) == 0 {
		return nil
	}
	err := l.w.Write(Message{Stream: l.stream, Line: l.partial})
	l.partial = l.partial[:0]
	return err
}

func (l *lineWriter) Close() error { return l.flush() }
