package shim

import (
	"context"
	"encoding/json"
	"fmt"
	"net"

	"github.com/containerd/errdefs"
)

// Attach returns a connection carrying the process's output — raw bytes
// when it has a terminal, else Docker's multiplexed stream (8-byte header:
// stream 1=stdout 2=stderr, 3 zero bytes, big-endian uint32 length) — and
// taking bytes for its stdin; CloseWrite ends stdin (for a container
// created with StdinOnce, or an exec). id is a container or exec ID. The
// connection ends when the process has exited and its output is sent.
func (c *Client) Attach(ctx context.Context, id string, opts AttachOptions) (net.Conn, error) {
	conn, stop, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	req := Request{Op: OpAttach, ID: id, Attach: &opts}
	if err := send(conn, req); err != nil {
		stop()
		conn.Close()
		return nil, c.connErr(ctx, req, err)
	}
	// Byte by byte: what follows the line is the process's output, and
	// it must stay in the connection for the caller.
	line, err := readLine(conn)
	stop()
	if err != nil {
		conn.Close()
		return nil, c.connErr(ctx, req, err)
	}
	var resp Response
	if err := json.Unmarshal(line, &resp); err != nil {
		conn.Close()
		return nil, fmt.Errorf("shim attach %s: bad response: %w: %w", id, err, errdefs.ErrUnavailable)
	}
	if err := resp.Err(); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func readLine(conn net.Conn) ([]byte, error) {
	var line []byte
	var b [1]byte
	for {
		if _, err := conn.Read(b[:]); err != nil {
			return nil, err
		}
		if b[0] == '\n' {
			return line, nil
		}
		line = append(line, b[0])
	}
}

// Subscribe returns the shim's exit and oom events from now until ctx
// ends (or the shim goes away: the channel then closes).
func (c *Client) Subscribe(ctx context.Context) (<-chan Event, error) {
	conn, stop, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	req := Request{Op: OpSubscribe}
	if err := send(conn, req); err != nil {
		stop()
		conn.Close()
		return nil, c.connErr(ctx, req, err)
	}
	dec := json.NewDecoder(conn)
	var resp Response
	if err := dec.Decode(&resp); err != nil {
		stop()
		conn.Close()
		return nil, c.connErr(ctx, req, err)
	}
	if err := resp.Err(); err != nil {
		stop()
		conn.Close()
		return nil, err
	}
	ch := make(chan Event, 16)
	go func() {
		defer close(ch)
		defer conn.Close()
		defer stop()
		for {
			var ev Event
			if err := dec.Decode(&ev); err != nil {
				return
			}
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}
