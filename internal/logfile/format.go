package logfile

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// jsonRecord is one line of Docker's json-file log.
type jsonRecord struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

func encodeJSON(buf []byte, m Message) ([]byte, error) {
	data, err := json.Marshal(jsonRecord{Log: string(m.Line), Stream: m.Stream, Time: m.Time.UTC()})
	if err != nil {
		return buf, err
	}
	buf = append(buf, data...)
	return append(buf, '\n'), nil
}

const localHeader = 4 + 1 + 8

func encodeLocal(buf []byte, m Message) []byte {
	n := uint32(1 + 8 + len(m.Line))
	buf = binary.BigEndian.AppendUint32(buf, n)
	s := byte(1)
	if m.Stream == Stderr {
		s = 2
	}
	buf = append(buf, s)
	buf = binary.BigEndian.AppendUint64(buf, uint64(m.Time.UnixNano()))
	buf = append(buf, m.Line...)
	return binary.BigEndian.AppendUint32(buf, n)
}

// decoder reads records of one format from one file.
type decoder interface {
	// next returns the next complete record; io.EOF when none is complete
	// yet (a writer may be mid-record: the caller retries later).
	next() (Message, error)
}

type jsonDecoder struct {
	r       *bufio.Reader
	pending []byte
}

func (d *jsonDecoder) next() (Message, error) {
	for {
		chunk, err := d.r.ReadSlice('\n')
		d.pending = append(d.pending, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			// Keep the incomplete tail for the next call.
			return Message{}, io.EOF
		}
		line := d.pending
		d.pending = d.pending[:0]
		var rec jsonRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			return Message{}, fmt.Errorf("json-file log: bad record: %w", err)
		}
		return Message{Stream: rec.Stream, Line: []byte(rec.Log), Time: rec.Time}, nil
	}
}

type localDecoder struct {
	r       *bufio.Reader
	pending []byte
}

func (d *localDecoder) next() (Message, error) {
	for {
		if len(d.pending) >= 4 {
			n := int(binary.BigEndian.Uint32(d.pending))
			if n < 9 || n > 1<<24 {
				return Message{}, fmt.Errorf("local log: bad record length %d", n)
			}
			if total := 4 + n + 4; len(d.pending) >= total {
				rec := d.pending[:total]
				m := Message{Stream: Stdout, Time: time.Unix(0, int64(binary.BigEndian.Uint64(rec[5:13]))).UTC()}
				if rec[4] == 2 {
					m.Stream = Stderr
				}
				m.Line = append([]byte(nil), rec[localHeader:4+n]...)
				d.pending = append(d.pending[:0], d.pending[total:]...)
				return m, nil
			}
		}
		var buf [4096]byte
		k, err := d.r.Read(buf[:])
		d.pending = append(d.pending, buf[:k]...)
		if k == 0 && err != nil {
			return Message{}, io.EOF
		}
	}
}

func newDecoder(driver string, r io.Reader) decoder {
	br := bufio.NewReaderSize(r, 32*1024)
	if driver == DriverLocal {
		return &localDecoder{r: br}
	}
	return &jsonDecoder{r: br}
}
