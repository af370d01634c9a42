package cli

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
)

// describeStatus words a container's state as Docker's STATUS column:
// "Up 2 minutes", "Up 3 hours (healthy)", "Up 5 seconds (Paused)",
// "Exited (0) 5 seconds ago", "Restarting (1) 2 seconds ago", "Created".
// ps uses it when the daemon's summary carries no Status text.
func describeStatus(st *container.State, now time.Time) string {
	if st == nil {
		return ""
	}
	started, _ := time.Parse(time.RFC3339Nano, st.StartedAt)
	finished, _ := time.Parse(time.RFC3339Nano, st.FinishedAt)
	since := func(t time.Time) string { return units.HumanDuration(now.Sub(t)) }
	switch {
	case st.Running && st.Paused:
		return "Up " + since(started) + " (Paused)"
	case st.Restarting:
		return fmt.Sprintf("Restarting (%d) %s ago", st.ExitCode, since(finished))
	case st.Running:
		s := "Up " + since(started)
		if st.Health != nil {
			switch h := st.Health.Status; h {
			case container.Starting:
				s += " (health: starting)"
			case container.Healthy, container.Unhealthy:
				s += " (" + string(h) + ")"
			}
		}
		return s
	case st.Status == container.StateRemoving:
		return "Removal In Progress"
	case st.Dead || st.Status == container.StateDead:
		return "Dead"
	case started.IsZero() || started.Unix() <= 0:
		return "Created"
	case finished.IsZero() || finished.Unix() <= 0:
		return ""
	}
	return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, since(finished))
}

// formatPorts renders published ports as Docker's PORTS column:
// "0.0.0.0:8080->80/tcp, 53/udp", sorted, one entry per port.
func formatPorts(ports []container.PortSummary) string {
	ps := append([]container.PortSummary(nil), ports...)
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].PrivatePort != ps[j].PrivatePort {
			return ps[i].PrivatePort < ps[j].PrivatePort
		}
		if ps[i].Type != ps[j].Type {
			return ps[i].Type < ps[j].Type
		}
		return ps[i].IP.Less(ps[j].IP)
	})
	var out []string
	seen := map[string]bool{}
	for _, p := range ps {
		s := strconv.Itoa(int(p.PrivatePort)) + "/" + p.Type
		if p.PublicPort != 0 {
			ip := p.IP
			if !ip.IsValid() {
				ip = netip.IPv4Unspecified()
			}
			// Docker writes IPv6 unbracketed: ":::8080->80/tcp".
			s = ip.String() + ":" + strconv.Itoa(int(p.PublicPort)) + "->" + s
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}
