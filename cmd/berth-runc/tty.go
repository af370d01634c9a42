package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	"github.com/containerd/console"
	"golang.org/x/sys/unix"
)

// ttyProxy is runc's foreground terminal: when a process wants a terminal
// and the caller gave no console socket, berth-runc receives the pty master
// itself and copies between it and its own stdio, in raw mode.
type ttyProxy struct {
	dir    string
	socket string
	ln     *net.UnixListener
	master chan *os.File
}

func newTTYProxy() (*ttyProxy, error) {
	dir, err := os.MkdirTemp("", "berth-runc-tty-")
	if err != nil {
		return nil, err
	}
	p := &ttyProxy{dir: dir, socket: filepath.Join(dir, "console.sock"), master: make(chan *os.File, 1)}
	p.ln, err = net.ListenUnix("unix", &net.UnixAddr{Name: p.socket, Net: "unix"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	go p.accept()
	return p, nil
}

func (p *ttyProxy) accept() {
	defer close(p.master)
	conn, err := p.ln.AcceptUnix()
	if err != nil {
		return
	}
	defer conn.Close()
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) == 0 {
		return
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) == 0 {
		return
	}
	p.master <- os.NewFile(uintptr(fds[0]), "pty-master")
}

// attach copies between the pty and our stdio until the pty closes; the
// returned function restores our terminal.
func (p *ttyProxy) attach() (func(), error) {
	master, ok := <-p.master
	if !ok || master == nil {
		return func() {}, fmt.Errorf("no pty received from the container")
	}
	restore := func() {}
	if cur, err := console.ConsoleFromFile(os.Stdin); err == nil {
		if size, err := cur.Size(); err == nil {
			if m, err := console.ConsoleFromFile(master); err == nil {
				_ = m.Resize(size)
			}
		}
		if err := cur.SetRaw(); err == nil {
			restore = func() { _ = cur.Reset() }
			// The container's pty already turns \n into \r\n.
			if t, err := unix.IoctlGetTermios(int(os.Stdin.Fd()), unix.TCGETS); err == nil {
				t.Oflag &^= unix.OPOST
				_ = unix.IoctlSetTermios(int(os.Stdin.Fd()), unix.TCSETS, t)
			}
		}
	}
	go func() { _, _ = io.Copy(master, os.Stdin) }()
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(os.Stdout, master) // ends with EIO when the process exits
		close(done)
	}()
	return func() {
		<-done
		restore()
		master.Close()
	}, nil
}

func (p *ttyProxy) Close() {
	p.ln.Close()
	os.RemoveAll(p.dir)
}

// wantsTerminal reads process.terminal from the bundle's config.json.
func wantsTerminal(bundle string) bool {
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		return false
	}
	var c struct {
		Process *struct {
			Terminal bool `json:"terminal"`
		} `json:"process"`
	}
	return json.Unmarshal(data, &c) == nil && c.Process != nil && c.Process.Terminal
}
