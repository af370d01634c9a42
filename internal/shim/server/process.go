package server

import (
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"github.com/berthproject/berth/internal/logfile"
	"github.com/berthproject/berth/internal/shim"
	"golang.org/x/sys/unix"
)

// process is a container's init or an exec: its stdio, its output's
// audience and, once it exited, its exit record.
type process struct {
	cid, execID string
	pid         int
	terminal    bool
	stdinOnce   bool // the first attach's EOF closes stdin
	noStdio     bool // adopted from a crashed shim: its stdio died with it
	forget      bool // an exec nobody will ask about: dropped when it exits (guarded by Server.mu)

	mu      sync.Mutex
	stdin   io.WriteCloser // pipe write end; nil when closed or never open
	master  *os.File       // pty master when terminal
	winsize *unix.Winsize  // a resize that came before the master

	out    output
	copies sync.WaitGroup
	exited chan struct{} // closed once the exit is recorded and output drained
	exit   exitRecord
}

func newProcess(cid, execID string) *process {
	return &process{cid: cid, execID: execID, exited: make(chan struct{})}
}

// pumpBuf is small on purpose: idle containers are the common case, and
// each holds one per stream.
const pumpBuf = 8 * 1024

// pump copies one output stream to the log (if any) and the attached
// clients until the process side closes.
func (p *process) pump(stream byte, r *os.File, log io.WriteCloser) {
	defer p.copies.Done()
	defer r.Close()
	if log != nil {
		defer log.Close()
	}
	buf := make([]byte, pumpBuf)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if log != nil {
				_, _ = log.Write(buf[:n])
			}
			p.out.write(stream, buf[:n])
		}
		if err != nil {
			// EIO is a pty master's EOF: every slave fd is closed.
			return
		}
	}
}

// startPumps starts copying the process's output, logging it to logw
// when given.
func (p *process) startPumps(s *stdio, logw *logfile.Writer) {
	stream := func(name string) io.WriteCloser {
		if logw == nil {
			return nil
		}
		return logw.Stream(name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal {
		p.master = s.master
		p.stdin = nil
		if s.openStdin {
			p.stdin = nopCloser{s.master}
		}
		if p.winsize != nil {
			_ = unix.IoctlSetWinsize(int(s.master.Fd()), unix.TIOCSWINSZ, p.winsize)
		}
		p.copies.Add(1)
		go p.pump(shim.StreamStdout, s.master, stream(logfile.Stdout))
		return
	}
	if s.stdinW != nil {
		p.stdin = s.stdinW
	}
	p.copies.Add(2)
	go p.pump(shim.StreamStdout, s.stdoutR, stream(logfile.Stdout))
	go p.pump(shim.StreamStderr, s.stderrR, stream(logfile.Stderr))
}

// nopCloser keeps a pty master open when "stdin" closes: it is also the
// output.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func (p *process) stdinWriter() io.Writer {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdin
}

func (p *process) closeStdin() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stdin != nil {
		p.stdin.Close()
		p.stdin = nil
	}
}

func (p *process) resize(w, h uint16) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ws := &unix.Winsize{Col: w, Row: h}
	if p.master == nil {
		p.winsize = ws
		return nil
	}
	return unix.IoctlSetWinsize(int(p.master.Fd()), unix.TIOCSWINSZ, ws)
}

// drain waits for the output to be copied, but not forever: a process
// outside the container's pid namespace may hold a pipe open.
func (p *process) drain() {
	done := make(chan struct{})
	go func() { p.copies.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	p.out.close()
}

func (p *process) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

var errNoStdio = errors.New("its stdio was lost with a previous shim")
