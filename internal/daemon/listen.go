package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/errdefs"
)

// listener is one API endpoint; for a unix socket, path is the file to
// remove at shutdown.
type listener struct {
	net.Listener
	addr string
	path string
}

// listen opens the endpoint host names: unix:///path or tcp://host:port.
// TCP is never a default: it is used only when the operator names it.
func listen(ctx context.Context, host, group string) (*listener, error) {
	proto, addr, ok := strings.Cut(host, "://")
	if !ok {
		return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid host %q: use unix:///path or tcp://host:port", host))
	}
	switch proto {
	case "unix":
		return listenUnix(ctx, addr, group)
	case "tcp":
		if addr == "" {
			return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid host %q: missing address", host))
		}
		l, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w", host, err)
		}
		return &listener{Listener: l, addr: host}, nil
	}
	return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid host %q: protocol %q is not supported (use unix or tcp)", host, proto))
}

func listenUnix(ctx context.Context, path, group string) (*listener, error) {
	if path == "" || !filepath.IsAbs(path) {
		return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid socket path %q: must be absolute", path))
	}
	gid := 0
	if group != "" {
		var err error
		if gid, err = lookupGroup(group); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create socket directory: %w", err)
	}
	// A socket file left by a daemon that died is removed; one that still
	// answers belongs to a live daemon and is never taken over.
	if _, err := os.Lstat(path); err == nil {
		d := net.Dialer{Timeout: time.Second}
		if c, err := d.DialContext(ctx, "unix", path); err == nil {
			c.Close()
			return nil, errdefs.ErrConflict.WithMessage(fmt.Sprintf("socket %s is in use by another daemon", path))
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("remove stale socket: %w", err)
		}
	}
	l, err := (&net.ListenConfig{}).Listen(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on unix://%s: %w", path, err)
	}
	if err := os.Chown(path, 0, gid); err != nil && !errors.Is(err, os.ErrPermission) {
		l.Close()
		return nil, fmt.Errorf("chown socket: %w", err)
	}
	if err := os.Chmod(path, 0o660); err != nil {
		l.Close()
		return nil, fmt.Errorf("chmod socket: %w", err)
	}
	return &listener{Listener: l, addr: "unix://" + path, path: path}, nil
}

// lookupGroup accepts a group name or a numeric gid.
func lookupGroup(group string) (int, error) {
	if n, err := strconv.Atoi(group); err == nil {
		return n, nil
	}
	g, err := user.LookupGroup(group)
	if err != nil {
		return 0, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("socket group %q: %v", group, err))
	}
	return strconv.Atoi(g.Gid)
}
