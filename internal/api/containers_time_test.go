package api

import (
	"testing"
	"time"
)

func TestParseTimeParamKeepsNanoseconds(t *testing.T) {
	for in, want := range map[string]time.Time{
		"1700000000.123456789":           time.Unix(1700000000, 123456789),
		"1700000000.5":                   time.Unix(1700000000, 500000000),
		"1700000000":                     time.Unix(1700000000, 0),
		"2023-11-14T22:13:20.000000001Z": time.Unix(1700000000, 1),
	} {
		got, err := parseTimeParam(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTimeParam(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "1.2.3", "1.1234567890"} {
		if _, err := parseTimeParam(bad); err == nil {
			t.Errorf("parseTimeParam(%q) accepted", bad)
		}
	}
}
