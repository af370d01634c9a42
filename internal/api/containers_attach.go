package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/berthproject/berth/internal/container"
	"github.com/containerd/errdefs"
)

// attachContainer is POST /containers/{id}/attach: the attach is
// registered, the connection hijacked (the client starts the container only
// after that), then joined to the container's stream when it runs.
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
	// Registered before the hijack tells the client to go on: docker run
	// starts the container as soon as its attach is answered, and output
	// written before the attach joins would be lost.
	var attachment *container.Attachment
	if stream {
		if attachment, err = s.cfg.Containers.PrepareAttach(name, o); err != nil {
			return err
		}
		defer attachment.Cancel() // a no-op once Wait has returned its stream
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
	if attachment == nil {
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
	proc, err := attachment.Wait(actx)
	if err != nil {
		s.cfg.Logger.DebugContext(ctx, "attach ended before the stream", "container", name, "err", err)
		return nil
	}
	defer proc.Close()
	pipe(client, in, proc, o.Stdin, keys)
	return nil
}
