package api

import (
	"context"
	"encoding/binary"
	"net/http"
	"strconv"
	"time"

	"github.com/berthproject/berth/internal/container"
	"github.com/berthproject/berth/internal/logfile"
	"github.com/berthproject/berth/internal/timestamp"
	"github.com/containerd/errdefs"
)

// containerLogs is GET /containers/{id}/logs: multiplexed frames, or raw
// bytes for a container with a tty.
func (s *Server) containerLogs(ctx context.Context, w http.ResponseWriter, r *http.Request, name string) error {
	q := r.URL.Query()
	o := container.LogsOptions{Tail: -1}
	var err error
	for key, dst := range map[string]*bool{"follow": &o.Follow, "stdout": &o.Stdout, "stderr": &o.Stderr, "timestamps": &o.Timestamps} {
		if *dst, err = queryBool(r, key); err != nil {
			return err
		}
	}
	if !o.Stdout && !o.Stderr {
		return errdefs.ErrInvalidArgument.WithMessage("Bad parameters: you must choose at least one stream")
	}
	if t := q.Get("tail"); t != "" && t != "all" {
		if o.Tail, err = strconv.Atoi(t); err != nil {
			return errdefs.ErrInvalidArgument.WithMessage("invalid tail " + strconv.Quote(t))
		}
	}
	if o.Since, err = timestamp.Parse(q.Get("since")); err != nil {
		return err
	}
	if o.Until, err = timestamp.Parse(q.Get("until")); err != nil {
		return err
	}
	if q.Get("since") == "0" {
		o.Since = time.Time{}
	}
	msgs, tty, err := s.cfg.Containers.Logs(ctx, name, o)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", streamType(tty))
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	var frame []byte
	for m := range msgs {
		frame = logFrame(frame[:0], m, tty, o.Timestamps)
		if _, err := w.Write(frame); err != nil {
			return nil
		}
		if flusher != nil && len(msgs) == 0 {
			flusher.Flush()
		}
	}
	return nil
}

// logFrame appends a log record to buf as the stream carries it: raw with
// a tty, else in a multiplexed frame; with its time first if timestamps.
func logFrame(buf []byte, m logfile.Message, tty, timestamps bool) []byte {
	line := m.Line
	if timestamps {
		line = append([]byte(m.Time.UTC().Format(time.RFC3339Nano)+" "), line...)
	}
	if tty {
		return append(buf, line...)
	}
	stream := byte(1)
	if m.Stream == logfile.Stderr {
		stream = 2
	}
	buf = append(buf, stream, 0, 0, 0, 0, 0, 0, 0)
	binary.BigEndian.PutUint32(buf[len(buf)-4:], uint32(len(line)))
	return append(buf, line...)
}
