package timestamp

import (
	"strings"
	"testing"
	"time"

	"github.com/containerd/errdefs"
)

func TestParseKeepsNanoseconds(t *testing.T) {
	for in, want := range map[string]time.Time{
		"1700000000.123456789":           time.Unix(1700000000, 123456789),
		"1700000000.5":                   time.Unix(1700000000, 500000000),
		"1700000000":                     time.Unix(1700000000, 0),
		"2023-11-14T22:13:20.000000001Z": time.Unix(1700000000, 1),
		"2023-11-14T22:13:20":            time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC),
		"2023-11-14":                     time.Date(2023, 11, 14, 0, 0, 0, 0, time.UTC),
	} {
		got, err := Parse(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "1.2.3", "1.1234567890", "-"} {
		if _, err := Parse(bad); !errdefs.IsInvalidArgument(err) {
			t.Errorf("Parse(%q) = %v, want an invalid-argument error", bad, err)
		}
	}
}

func TestParseDurationIsBeforeNow(t *testing.T) {
	before := time.Now()
	got, err := Parse("10m")
	if err != nil || got.After(before.Add(-10*time.Minute+time.Second)) || got.Before(before.Add(-11*time.Minute)) {
		t.Errorf("Parse(10m) = %v, %v; want about 10 minutes before %v", got, err, before)
	}
	if got, err := Parse(""); err != nil || !got.IsZero() {
		t.Errorf("Parse(\"\") = %v, %v; want the zero time", got, err)
	}
}

func TestFilterNamesTheFilter(t *testing.T) {
	for _, bad := range []string{"", "soon"} {
		_, err := Filter("until", bad)
		if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), "invalid filter 'until="+bad+"'") {
			t.Errorf("Filter(until, %q) = %v", bad, err)
		}
	}
	if got, err := Filter("until", "1700000000"); err != nil || !got.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("Filter(until, 1700000000) = %v, %v", got, err)
	}
}
