// Package timestamp reads the times Docker's API and CLI take for since=,
// until= and the until filter of prune: a duration before now ("10m"), an
// RFC 3339 time, a date or date-time without zone, or Unix seconds with an
// optional fraction ("1700000000.123456789", as the docker CLI sends).
package timestamp

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/errdefs"
)

// layouts are the absolute forms besides Unix seconds.
var layouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"}

// Parse reads v; "" is the zero time (no bound).
func Parse(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return time.Now().Add(-d), nil
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	if t, ok := parseUnix(v); ok {
		return t, nil
	}
	return time.Time{}, errdefs.ErrInvalidArgument.WithMessage("invalid time value " + strconv.Quote(v))
}

// parseUnix reads "seconds[.nanoseconds]". The fraction is read as
// digits, since a float64 loses the nanoseconds.
func parseUnix(v string) (time.Time, bool) {
	secPart, fracPart, _ := strings.Cut(v, ".")
	sec, err := strconv.ParseInt(secPart, 10, 64)
	if err != nil || len(fracPart) > 9 {
		return time.Time{}, false
	}
	nsec := uint64(0)
	if fracPart != "" {
		if nsec, err = strconv.ParseUint(fracPart+strings.Repeat("0", 9-len(fracPart)), 10, 64); err != nil {
			return time.Time{}, false
		}
	}
	return time.Unix(sec, int64(nsec)), true
}

// Filter reads the value of a prune filter such as until=; an empty or
// unreadable one is an error naming the filter, as Docker's.
func Filter(key, v string) (time.Time, error) {
	t, err := Parse(v)
	if err != nil || t.IsZero() {
		return time.Time{}, fmt.Errorf("invalid filter '%s=%s': want a timestamp or a duration: %w", key, v, errdefs.ErrInvalidArgument)
	}
	return t, nil
}
