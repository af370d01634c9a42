package build

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// exposedPorts normalises EXPOSE arguments ("80", "53/udp", "8000-8002")
// to Docker's "port/proto" keys, sorted.
func exposedPorts(args []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, a := range args {
		portRange, proto, _ := strings.Cut(a, "/")
		if proto == "" {
			proto = "tcp"
		}
		proto = strings.ToLower(proto)
		if proto != "tcp" && proto != "udp" && proto != "sctp" {
			return nil, fmt.Errorf("invalid proto %q in EXPOSE %s", proto, a)
		}
		lo, hi, isRange := strings.Cut(portRange, "-")
		start, err := strconv.ParseUint(lo, 10, 16)
		end := start
		if err == nil && isRange {
			end, err = strconv.ParseUint(hi, 10, 16)
		}
		if err != nil || end < start {
			return nil, fmt.Errorf("invalid port %q in EXPOSE", a)
		}
		for p := start; p <= end; p++ {
			k := fmt.Sprintf("%d/%s", p, proto)
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
