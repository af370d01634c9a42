package logfile

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
)

// The decoders read files anyone with access to the log dir could have
// damaged: they must never panic or loop, whatever the bytes.
func FuzzDecoders(f *testing.F) {
	var local, js []byte
	m := Message{Stream: Stderr, Line: []byte("hello\n"), Time: time.Unix(1, 2)}
	local = encodeLocal(local, m)
	js, _ = encodeJSON(js, m)
	f.Add(local)
	f.Add(js)
	f.Add([]byte{0, 0, 0, 9, 1})
	f.Add([]byte("{\"log\":\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, driver := range []string{DriverLocal, DriverJSONFile} {
			dec := newDecoder(driver, bytes.NewReader(data))
			for i := 0; i <= len(data); i++ {
				_, err := dec.next()
				if errors.Is(err, io.EOF) || (err != nil && driver == DriverLocal) {
					break
				}
			}
		}
	})
}
