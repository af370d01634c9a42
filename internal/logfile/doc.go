// Package logfile writes and reads container logs: Docker's json-file
// format (one JSON object per line), berth's compact "local" format, or
// nothing ("none"). The container monitor writes; the container service
// reads for `logs`, following rotation by size.
//
// The json-file format is Docker's, byte for byte, so that tools reading
// /var/lib/docker/containers/<id>/<id>-json.log work on berth's logs:
//
//	{"log":"hello\n","stream":"stdout","time":"2026-11-23T17:41:44.123456789Z"}
//
// A line longer than MaxLine is split into records whose "log" does not end
// in "\n" (Docker's partial messages).
//
// The local format is berth's own, smaller and cheaper to write: a sequence
// of records, each
//
//	uint32 n (big-endian) | byte stream (1 stdout, 2 stderr) | int64 unix nanoseconds (big-endian) | n-9 bytes of line | uint32 n
//
// The trailing length lets a reader walk the file backwards (tail).
//
// Rotation: when a record would take the file past MaxSize, the file is
// renamed path.1 (path.1 becomes path.2, … up to MaxFiles-1 rotated files)
// and a new one started; with MaxFiles <= 1 the file is truncated instead.
package logfile

import (
	"fmt"
	"time"

	"github.com/containerd/errdefs"
)

// Drivers.
const (
	DriverJSONFile = "json-file"
	DriverLocal    = "local"
	DriverNone     = "none"
)

// Streams.
const (
	Stdout = "stdout"
	Stderr = "stderr"
)

// MaxLine is the longest line kept in one record (Docker's 16 KiB).
const MaxLine = 16 * 1024

// Config says where and how a container's log is kept.
type Config struct {
	Driver   string // "json-file" (default), "local", "none"
	Path     string
	MaxSize  int64 // bytes, 0 = unlimited
	MaxFiles int
}

// driver returns the effective driver, or an error naming a bad one.
func (c Config) driver() (string, error) {
	switch c.Driver {
	case "", DriverJSONFile:
		return DriverJSONFile, nil
	case DriverLocal, DriverNone:
		return c.Driver, nil
	}
	return "", fmt.Errorf("log driver %q (want json-file, local or none): %w", c.Driver, errdefs.ErrInvalidArgument)
}

// Validate checks the configuration without touching the filesystem.
func (c Config) Validate() error {
	d, err := c.driver()
	if err != nil {
		return err
	}
	if d != DriverNone && c.Path == "" {
		return fmt.Errorf("log driver %s needs a path: %w", d, errdefs.ErrInvalidArgument)
	}
	if c.MaxSize < 0 || c.MaxFiles < 0 {
		return fmt.Errorf("log max-size %d / max-file %d must not be negative: %w", c.MaxSize, c.MaxFiles, errdefs.ErrInvalidArgument)
	}
	return nil
}

// Message is one log record.
type Message struct {
	Stream string // "stdout" or "stderr"
	Line   []byte // as written, with its "\n" unless it was a partial line
	Time   time.Time
}
