package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/berthproject/berth/internal/container"
	"github.com/containerd/errdefs"
)

// attachContainer is POST /containers/{id}/attach: the connection is
// hijacked at once (the client starts the container only after that),
// then joined to the container's stream when it runs.
func (s *Server) attachContainer(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	c, err := s.cfg.Containers.Get(ctx, name)
	if err != nil {
		return err
	}
	o := container.AttachOptions{}
	for key, dst := range map[string]*bool{"stdin": &o.Stdin, "stdout": &o.Stdout, "stderr": &o.Stderr} {
		if *dst, err = queryBool(r, key); err != nil {
			return err
		}
	}
	stream, _ := queryBool(r, "stream")
	logs, _ := queryBool(r, "logs")
	if !stream && !logs {
		return fmt.Errorf("attach: stream or logs must be set: %w", errdefs.ErrInvalidArgument)
	}
	keys, err := parseDetachKeys(r.URL.Query().Get("detachKeys"))
	if err != nil {
		return fmt.Errorf("attach: %v: %w", err, errdefs.ErrInvalidArgument)
	}
	client, in, err := hijack(w, r, streamType(c.Config.Tty))
	if err != nil {
		return err
	}
	defer client.Close()
	if logs && (o.Stdout || o.Stderr) {
		// The past output first, as Docker's attach with logs=1 sends it.
		if msgs, tty, err := s.cfg.Containers.Logs(ctx, name, container.LogsOptions{Tail: -1, Stdout: o.Stdout, Stderr: o.Stderr}); err == nil {
			var frame []byte
			for m := range msgs {
				frame = logFrame(frame[:0], m, tty, false)
				if _, err := client.Write(frame); err != nil {
					return nil
				}
			}
		}
	}
	if !stream {
		return nil
	}
	// The client's connection is the request's lifetime now: it ends when
	// the client goes or the stream ends.
	actx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go func() {
		// A client that hangs up before the start must not leave the
		// pending attach behind.
		<-ctx.Done()
		cancel()
	}()
	proc, err := s.cfg.Containers.Attach(actx, name, o)
	if err != nil {
		s.cfg.Logger.DebugContext(ctx, "attach ended before the stream", "container", name, "err", err)
		return nil
	}
	defer proc.Close()
	pipe(client, in, proc, o.Stdin, keys)
	return nil
}
