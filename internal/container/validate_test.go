package container

import (
	"maps"
	"slices"
	"testing"
)

func TestParseCPUList(t *testing.T) {
	for in, want := range map[string][]int{"0": {0}, "0-2": {0, 1, 2}, "1,3-4": {1, 3, 4}} {
		got, err := parseCPUList(in)
		if err != nil || !slices.Equal(slices.Sorted(maps.Keys(got)), want) {
			t.Errorf("parseCPUList(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a", "2-1", "-1", "1-", "1,,2"} {
		if _, err := parseCPUList(bad); err == nil {
			t.Errorf("parseCPUList(%q) accepted", bad)
		}
	}
}
