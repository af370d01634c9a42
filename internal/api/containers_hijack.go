package api

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
)

// Hijack lets the attach and exec routes take over the connection, as
// Docker's do (the wrapper must not hide the server's Hijacker).
func (t *trackingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := t.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("connection cannot be hijacked")
	}
	t.started = true
	return h.Hijack()
}

// hijack takes the client's connection and answers as Docker does: 101
// UPGRADED when the client asked to upgrade to tcp, else 200 OK, then the
// raw stream. The returned reader yields what the client sends next
// (including anything already buffered).
func hijack(w http.ResponseWriter, r *http.Request, contentType string) (net.Conn, io.Reader, error) {
	h, ok := w.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("connection cannot be hijacked")
	}
	conn, rw, err := h.Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("hijack: %w", err)
	}
	status := "HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\n\r\n"
	if strings.EqualFold(r.Header.Get("Upgrade"), "tcp") {
		status = "HTTP/1.1 101 UPGRADED\r\nContent-Type: " + contentType + "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
	}
	if _, err := conn.Write([]byte(status)); err != nil {
		conn.Close()
		return nil, nil, err
	}
	var in io.Reader = conn
	if n := rw.Reader.Buffered(); n > 0 {
		buffered, _ := rw.Reader.Peek(n)
		in = io.MultiReader(strings.NewReader(string(buffered)), conn)
	}
	return conn, in, nil
}

// streamType is the content type of a stream with or without a tty.
func streamType(tty bool) string {
	if tty {
		return "application/vnd.docker.raw-stream"
	}
	return "application/vnd.docker.multiplexed-stream"
}

// pipe joins the client's hijacked connection to a process's stream:
// output until the process's side ends, input (stopped by the detach
// keys, if any) until the client half-closes. It returns when the output
// is done or the client detached.
func pipe(client net.Conn, clientIn io.Reader, proc net.Conn, withStdin bool, detach []byte) {
	var once sync.Once
	done := make(chan struct{})
	finish := func() { once.Do(func() { close(done) }) }
	go func() {
		_, _ = io.Copy(client, proc)
		finish()
	}()
	if withStdin {
		go func() {
			detached := copyInput(proc, clientIn, detach)
			if detached {
				finish()
				return
			}
			if cw, ok := proc.(interface{ CloseWrite() error }); ok {
				_ = cw.CloseWrite()
			}
		}()
	}
	<-done
}

// copyInput copies the client's input to the process until EOF or until
// the detach key sequence; it reports whether the client detached.
func copyInput(dst io.Writer, src io.Reader, keys []byte) bool {
	buf := make([]byte, 32*1024)
	matched := 0
	for {
		n, err := src.Read(buf)
		if n > 0 {
			out := make([]byte, 0, n)
			for _, b := range buf[:n] {
				if len(keys) > 0 && b == keys[matched] {
					matched++
					if matched == len(keys) {
						_, _ = dst.Write(out)
						return true
					}
					continue
				}
				if matched > 0 {
					out = append(out, keys[:matched]...)
					matched = 0
				}
				out = append(out, b)
			}
			if _, werr := dst.Write(out); werr != nil {
				return false
			}
		}
		if err != nil {
			return false
		}
	}
}

// parseDetachKeys reads Docker's detach key spec ("ctrl-p,ctrl-q", "a,ctrl-@").
func parseDetachKeys(spec string) ([]byte, error) {
	if spec == "" {
		spec = "ctrl-p,ctrl-q"
	}
	var out []byte
	for _, k := range strings.Split(spec, ",") {
		k = strings.TrimSpace(k)
		switch {
		case len(k) == 1:
			out = append(out, k[0])
		case len(k) == 6 && strings.HasPrefix(strings.ToLower(k), "ctrl-"):
			c := k[5]
			switch {
			case c >= 'a' && c <= 'z':
				out = append(out, c-'a'+1)
			case c >= '@' && c <= '_':
				out = append(out, c-'@')
			default:
				return nil, fmt.Errorf("invalid detach key %q", k)
			}
		default:
			return nil, fmt.Errorf("invalid detach key %q", k)
		}
	}
	return out, nil
}
