package server

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// stdio is a new process's side of the pipes (or the console socket that
// brings its pty master) while the runtime creates it.
type stdio struct {
	openStdin bool
	// Given to the runtime, closed here once it has them.
	childIn, childOut, childErr *os.File
	stdinW, stdoutR, stderrR    *os.File
	console                     *consoleSocket
	master                      *os.File
}

// newStdio prepares a process's stdio: a console socket for a terminal,
// else pipes — named ones (fifos) in fifoDir when given, so that a later
// shim can reopen them (a container's output outlives a shim crash).
func newStdio(fifoDir string, terminal, openStdin bool) (s *stdio, err error) {
	s = &stdio{openStdin: openStdin}
	defer func() {
		if err != nil {
			s.closeAll()
		}
	}()
	if terminal {
		s.console, err = listenConsole()
		return s, err
	}
	if fifoDir != "" {
		return s, s.openFifos(fifoDir)
	}
	if openStdin {
		if s.childIn, s.stdinW, err = os.Pipe(); err != nil {
			return s, fmt.Errorf("stdin pipe: %w", err)
		}
	}
	if s.stdoutR, s.childOut, err = os.Pipe(); err != nil {
		return s, fmt.Errorf("stdout pipe: %w", err)
	}
	if s.stderrR, s.childErr, err = os.Pipe(); err != nil {
		return s, fmt.Errorf("stderr pipe: %w", err)
	}
	return s, nil
}

// consolePath is the socket the runtime sends the pty master to ("" for
// pipes).
func (s *stdio) consolePath() string {
	if s.console == nil {
		return ""
	}
	return s.console.path
}

// created closes the child's ends and, for a terminal, takes the master
// the runtime sent during create (it is sent before create returns).
func (s *stdio) created() error {
	for _, f := range []*os.File{s.childIn, s.childOut, s.childErr} {
		if f != nil {
			f.Close()
		}
	}
	s.childIn, s.childOut, s.childErr = nil, nil, nil
	if s.console != nil {
		m, err := s.console.receive()
		s.console.close()
		s.console = nil
		if err != nil {
			return err
		}
		s.master = m
	}
	return nil
}

func (s *stdio) closeAll() {
	for _, f := range []*os.File{s.childIn, s.childOut, s.childErr, s.stdinW, s.stdoutR, s.stderrR, s.master} {
		if f != nil {
			f.Close()
		}
	}
	if s.console != nil {
		s.console.close()
	}
}

// consoleSocket receives one pty master over SCM_RIGHTS. It lives in a
// short private directory: socket paths are limited to 108 bytes.
type consoleSocket struct {
	dir, path string
	l         *net.UnixListener
	got       chan consoleResult
}

type consoleResult struct {
	f   *os.File
	err error
}

func listenConsole() (*consoleSocket, error) {
	dir, err := os.MkdirTemp("", "berth-console-")
	if err != nil {
		return nil, fmt.Errorf("console socket: %w", err)
	}
	c := &consoleSocket{dir: dir, path: filepath.Join(dir, "s"), got: make(chan consoleResult, 1)}
	c.l, err = net.ListenUnix("unix", &net.UnixAddr{Name: c.path, Net: "unix"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("console socket: %w", err)
	}
	go func() { c.got <- c.accept() }()
	return c, nil
}

func (c *consoleSocket) accept() consoleResult {
	conn, err := c.l.AcceptUnix()
	if err != nil {
		return consoleResult{err: fmt.Errorf("console socket: %w", err)}
	}
	defer conn.Close()
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return consoleResult{err: fmt.Errorf("receive pty master: %w", err)}
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return consoleResult{err: fmt.Errorf("receive pty master: no fd in message")}
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return consoleResult{err: fmt.Errorf("receive pty master: no fd in message")}
	}
	// Non-blocking, so that reads park on the poller, not on a thread.
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		return consoleResult{err: fmt.Errorf("pty master: %w", err)}
	}
	unix.CloseOnExec(fds[0])
	return consoleResult{f: os.NewFile(uintptr(fds[0]), "pty-master")}
}

// receive returns the master; the runtime sent it before create (or exec)
// returned, so the wait is short unless something went badly wrong.
func (c *consoleSocket) receive() (*os.File, error) {
	select {
	case r := <-c.got:
		return r.f, r.err
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("no pty master received from the runtime")
	}
}

func (c *consoleSocket) close() {
	c.l.Close()
	os.RemoveAll(c.dir)
}
