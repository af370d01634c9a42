package api

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"

	"github.com/containerd/errdefs"
)

// parseFilters decodes the "filters" query parameter. Clients send either
// {"key":{"value":true}} (current) or {"key":["value"]} (older); both become
// key → values. A key outside allowed is rejected as Docker does.
func parseFilters(q url.Values, allowed ...string) (map[string][]string, error) {
	raw := q.Get("filters")
	out := map[string][]string{}
	if raw == "" {
		return out, nil
	}
	var sets map[string]map[string]bool
	if err := json.Unmarshal([]byte(raw), &sets); err == nil {
		for k, vs := range sets {
			for v, on := range vs {
				if on {
					out[k] = append(out[k], v)
				}
			}
			sort.Strings(out[k])
		}
	} else {
		var lists map[string][]string
		if err := json.Unmarshal([]byte(raw), &lists); err != nil {
			return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid filters %q: %v", raw, err))
		}
		out = lists
	}
	for k := range out {
		if !slices.Contains(allowed, k) {
			return nil, errdefs.ErrInvalidArgument.WithMessage(fmt.Sprintf("invalid filter '%s'", k))
		}
	}
	return out, nil
}
