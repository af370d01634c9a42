package labelfilter

import "testing"

func TestMatchAndMatchNone(t *testing.T) {
	labels := map[string]string{"app": "web", "tier": "", "env": "prod"}
	for _, tc := range []struct {
		filters   []string
		all, none bool
	}{
		{nil, true, true},
		{[]string{"app"}, true, false},
		{[]string{"app=web"}, true, false},
		{[]string{"app=db"}, false, true},
		{[]string{"tier="}, true, false},
		{[]string{"missing"}, false, true},
		{[]string{"app=web", "env=prod"}, true, false},
		{[]string{"app=web", "env=dev"}, false, false}, // every one must hold; one does
	} {
		if got := Match(tc.filters, labels); got != tc.all {
			t.Errorf("Match(%q) = %v, want %v", tc.filters, got, tc.all)
		}
		if got := MatchNone(tc.filters, labels); got != tc.none {
			t.Errorf("MatchNone(%q) = %v, want %v", tc.filters, got, tc.none)
		}
	}
}
