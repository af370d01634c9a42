package api

import (
	"context"
	"encoding/binary"
	"net/http"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/common"
	containertypes "github.com/moby/moby/api/types/container"
)

func (s *Server) createExec(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	var req containertypes.ExecCreateRequest
	if err := decodeBody(r, "exec create", &req); err != nil {
		return err
	}
	id, err := s.cfg.Containers.ExecCreate(ctx, name, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, common.IDResponse{ID: id})
	return nil
}

// execExitGrace bounds how long exec start waits, after the output has
// ended, for the exit code to be recorded, so that the client's inspect
// right after sees it.
const execExitGrace = 5 * time.Second

func (s *Server) startExec(ctx context.Context, w http.ResponseWriter, r *http.Request, id string) error {
	var req containertypes.ExecStartRequest
	if err := decodeBody(r, "exec start", &req); err != nil {
		return err
	}
	x, err := s.cfg.Containers.ExecInspect(ctx, id)
	if err != nil {
		return err
	}
	if req.Detach {
		conn, err := s.cfg.Containers.ExecStart(ctx, id, true)
		if conn != nil {
			conn.Close()
		}
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	tty := x.ProcessConfig != nil && x.ProcessConfig.Tty
	proc, err := s.cfg.Containers.ExecStart(ctx, id, false)
	if err != nil {
		// A command that cannot run has an exit code (126, 127), and
		// Docker reports it in the stream: the client reads the message
		// there and the code from inspect.
		if after, ierr := s.cfg.Containers.ExecInspect(ctx, id); ierr == nil && after.ExitCode != nil {
			client, _, herr := hijack(w, r, streamType(tty))
			if herr != nil {
				return herr
			}
			defer client.Close()
			msg := []byte("OCI runtime exec failed: " + err.Error() + "\n")
			if !tty {
				msg = append([]byte{2, 0, 0, 0, 0, 0, 0, 0}, msg...)
				binary.BigEndian.PutUint32(msg[4:8], uint32(len(msg)-8))
			}
			_, _ = client.Write(msg)
			return nil
		}
		return err
	}
	if proc == nil {
		return errdefs.ErrUnavailable.WithMessage("exec " + id + ": no stream from the container monitor")
	}
	defer proc.Close()
	keys, _ := parseDetachKeys(string(x.DetachKeys))
	client, in, err := hijack(w, r, streamType(tty))
	if err != nil {
		return err
	}
	defer client.Close()
	pipe(client, in, proc, x.OpenStdin, keys)
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), execExitGrace)
	defer cancel()
	_, _ = s.cfg.Containers.ExecWait(wctx, id)
	return nil
}

func (s *Server) resizeExec(ctx context.Context, w http.ResponseWriter, r *http.Request, id string) error {
	wd, ht, err := sizeQuery(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Containers.ExecResize(ctx, id, wd, ht); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) inspectExec(ctx context.Context, w http.ResponseWriter, r *http.Request, id string) error {
	x, err := s.cfg.Containers.ExecInspect(ctx, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}
