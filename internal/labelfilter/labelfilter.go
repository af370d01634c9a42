// Package labelfilter matches Docker's label filters, label=KEY or
// label=KEY=VALUE, the same way for every kind of object (containers,
// images, volumes, networks, events) and for its negation label!=.
package labelfilter

import "strings"

// Match reports whether every filter holds for labels (label=…).
func Match(filters []string, labels map[string]string) bool {
	for _, f := range filters {
		if !holds(f, labels) {
			return false
		}
	}
	return true
}

// MatchNone reports whether no filter holds for labels (label!=…).
func MatchNone(filters []string, labels map[string]string) bool {
	for _, f := range filters {
		if holds(f, labels) {
			return false
		}
	}
	return true
}

// holds: KEY is present, and has VALUE when the filter names one.
func holds(filter string, labels map[string]string) bool {
	k, want, hasValue := strings.Cut(filter, "=")
	got, ok := labels[k]
	return ok && (!hasValue || got == want)
}
