package cli

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/network"
)

func TestDescribeStatus(t *testing.T) {
	now := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339Nano) }
	for _, tc := range []struct {
		st   container.State
		want string
	}{
		{container.State{Status: "created", StartedAt: "0001-01-01T00:00:00Z"}, "Created"},
		{container.State{Status: "running", Running: true, StartedAt: ago(2 * time.Minute)}, "Up 2 minutes"},
		{container.State{Status: "running", Running: true, StartedAt: ago(300 * time.Millisecond)}, "Up Less than a second"},
		{container.State{Status: "running", Running: true, StartedAt: ago(3 * time.Hour), Health: &container.Health{Status: container.Healthy}}, "Up 3 hours (healthy)"},
		{container.State{Status: "running", Running: true, StartedAt: ago(5 * time.Second), Health: &container.Health{Status: container.Starting}}, "Up 5 seconds (health: starting)"},
		{container.State{Status: "paused", Running: true, Paused: true, StartedAt: ago(5 * time.Second)}, "Up 5 seconds (Paused)"},
		{container.State{Status: "exited", ExitCode: 0, StartedAt: ago(time.Minute), FinishedAt: ago(5 * time.Second)}, "Exited (0) 5 seconds ago"},
		{container.State{Status: "exited", ExitCode: 137, StartedAt: ago(time.Hour), FinishedAt: ago(45 * time.Minute)}, "Exited (137) 45 minutes ago"},
		{container.State{Status: "restarting", Restarting: true, Running: true, ExitCode: 1, StartedAt: ago(time.Minute), FinishedAt: ago(2 * time.Second)}, "Restarting (1) 2 seconds ago"},
		{container.State{Status: "dead", Dead: true}, "Dead"},
		{container.State{Status: "removing", StartedAt: ago(time.Minute)}, "Removal In Progress"},
	} {
		if got := describeStatus(&tc.st, now); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.st, got, tc.want)
		}
	}
}

func TestFormatPorts(t *testing.T) {
	ports := []container.PortSummary{
		{PrivatePort: 80, PublicPort: 8080, Type: "tcp", IP: netip.MustParseAddr("0.0.0.0")},
		{PrivatePort: 80, PublicPort: 8080, Type: "tcp", IP: netip.MustParseAddr("::")},
		{PrivatePort: 53, Type: "udp"},
		{PrivatePort: 22, PublicPort: 2222, Type: "tcp", IP: netip.MustParseAddr("127.0.0.1")},
	}
	want := "127.0.0.1:2222->22/tcp, 53/udp, 0.0.0.0:8080->80/tcp, :::8080->80/tcp"
	if got := formatPorts(ports); got != want {
		t.Errorf("ports = %q, want %q", got, want)
	}
}

func testSummary(now time.Time) container.Summary {
	return container.Summary{
		ID: strings.Repeat("0123456789ab", 5) + "cdef", Names: []string{"/web", "/other/alias"}, Image: "busybox",
		Command: "httpd -f -p 80 -h /var/www", Created: now.Add(-2 * time.Minute).Unix(), State: "running", Status: "Up 2 minutes",
		Ports:  []container.PortSummary{{PrivatePort: 80, PublicPort: 8080, Type: "tcp", IP: netip.MustParseAddr("0.0.0.0")}},
		Labels: map[string]string{"app": "web", "tier": "front"}, SizeRw: 1200, SizeRootFs: 4_261_000,
	}
}

func TestPsTableAndFormats(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s := testSummary(now)
	lf := listFormat{headers: psHeaders,
		defaultTable: "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"}
	var buf bytes.Buffer
	if err := lf.write(&buf, []any{newPsRow(s, false, now)}); err != nil {
		t.Fatal(err)
	}
	want := "CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS         PORTS                  NAMES\n" +
		`0123456789ab   busybox   "httpd -f -p 80 -h /…"   2 minutes ago   Up 2 minutes   0.0.0.0:8080->80/tcp   web` + "\n"
	if d := cmp.Diff(want, buf.String()); d != "" {
		t.Errorf("ps table (-want +got):\n%s", d)
	}
	for format, want := range map[string]string{
		`{{.Names}} {{.Label "app"}} {{.Labels}}`: "web web app=web,tier=front\n",
		`table {{.ID}}\t{{.State}}`:               "CONTAINER ID   STATE\n0123456789ab   running\n",
		`{{.Size}}`:                               "1.2kB (virtual 4.26MB)\n",
		"json":                                    `{"Command":"\"httpd -f -p 80 -h /…\"","CreatedAt":"` + time.Unix(s.Created, 0).Format("2006-01-02 15:04:05 -0700 MST") + `","ID":"0123456789ab","Image":"busybox","Labels":"app=web,tier=front","LocalVolumes":"0","Mounts":"","Names":"web","Networks":"","Platform":null,"Ports":"0.0.0.0:8080->80/tcp","RunningFor":"2 minutes ago","Size":"1.2kB (virtual 4.26MB)","State":"running","Status":"Up 2 minutes"}` + "\n",
	} {
		buf.Reset()
		lf.format = format
		if err := lf.write(&buf, []any{newPsRow(s, false, now)}); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, buf.String()); d != "" {
			t.Errorf("%s (-want +got):\n%s", format, d)
		}
	}
	full := newPsRow(s, true, now)
	if full.ID != s.ID || full.Command != `"httpd -f -p 80 -h /var/www"` || full.Names != "web,other/alias" {
		t.Errorf("--no-trunc row = %+v", full)
	}
}

func TestStatsRow(t *testing.T) {
	s := container.StatsResponse{ID: strings.Repeat("a", 64), Name: "/web",
		CPUStats:    container.CPUStats{CPUUsage: container.CPUUsage{TotalUsage: 300_000_000}, SystemUsage: 2_000_000_000, OnlineCPUs: 2},
		PreCPUStats: container.CPUStats{CPUUsage: container.CPUUsage{TotalUsage: 100_000_000}, SystemUsage: 1_000_000_000},
		MemoryStats: container.MemoryStats{Usage: 12 << 20, Limit: 1 << 30, Stats: map[string]uint64{"inactive_file": 2 << 20}},
		Networks:    map[string]container.NetworkStats{"eth0": {RxBytes: 1500, TxBytes: 500}, "eth1": {RxBytes: 500}},
		BlkioStats:  container.BlkioStats{IoServiceBytesRecursive: []container.BlkioStatEntry{{Op: "Read", Value: 4096}, {Op: "Write", Value: 8192}}},
		PidsStats:   container.PidsStats{Current: 3},
	}
	got := newStatsRow("web", s)
	want := statsRow{Container: "web", ID: "aaaaaaaaaaaa", Name: "web", CPUPerc: "40.00%", MemUsage: "10MiB / 1GiB", MemPerc: "0.98%",
		NetIO: "2kB / 500B", BlockIO: "4.1kB / 8.19kB", PIDs: "3"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("stats row (-want +got):\n%s", d)
	}
}

func TestPortLines(t *testing.T) {
	ports := network.PortMap{
		network.MustParsePort("80/tcp"): {{HostIP: netip.MustParseAddr("0.0.0.0"), HostPort: "8080"}, {HostIP: netip.MustParseAddr("::"), HostPort: "8080"}},
		network.MustParsePort("53/udp"): {{HostPort: "5353"}},
		network.MustParsePort("22/tcp"): nil,
	}
	got, err := portLines(ports, nil)
	want := []string{"53/udp -> 0.0.0.0:5353", "80/tcp -> 0.0.0.0:8080", "80/tcp -> [::]:8080"}
	if err != nil || !cmp.Equal(got, want) {
		t.Errorf("port = %q, %v; want %q", got, err, want)
	}
	if got, err := portLines(ports, []string{"80"}); err != nil || !cmp.Equal(got, []string{"0.0.0.0:8080", "[::]:8080"}) {
		t.Errorf("port 80 = %q, %v", got, err)
	}
	if _, err := portLines(ports, []string{"22"}); err == nil || !strings.Contains(err.Error(), "22/tcp") {
		t.Errorf("unpublished port: %v", err)
	}
}

func TestEventLine(t *testing.T) {
	ts := time.Date(2026, 11, 23, 18, 0, 0, 123456789, time.Local)
	var buf bytes.Buffer
	writeEvent(&buf, events.Message{Type: events.ContainerEventType, Action: events.ActionDie, TimeNano: ts.UnixNano(),
		Actor: events.Actor{ID: "abc123", Attributes: map[string]string{"name": "web", "exitCode": "0", "image": "busybox"}}})
	want := ts.Format("2006-01-02T15:04:05.000000000Z07:00") + " container die abc123 (exitCode=0, image=busybox, name=web)\n"
	if buf.String() != want {
		t.Errorf("event line = %q, want %q", buf.String(), want)
	}
}

func TestStartErrorCodes(t *testing.T) {
	for msg, code := range map[string]int{
		`exec: "nope": executable file not found in $PATH`: ExitNotFound,
		"exec /bin/nope: no such file or directory":        ExitNotFound,
		"exec /etc/passwd: permission denied":              ExitCannotExecute,
		"cgroup: device or resource busy":                  ExitFailure,
	} {
		err := startError(errorString(msg))
		st, ok := err.(statusError)
		if !ok || st.code != code || !strings.Contains(st.msg, msg) {
			t.Errorf("%q → %#v, want code %d", msg, err, code)
		}
	}
	if startError(nil) != nil {
		t.Error("startError(nil) != nil")
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestInspectFormatKeepsNumbers(t *testing.T) {
	raw := []byte(`{"HostConfig":{"Memory":67108864,"NanoCpus":1500000000}}`)
	var buf bytes.Buffer
	// NanoCpus is Docker's JSON name, not the Go field's: the template
	// runs on the raw object, whose numbers must print as written.
	if err := formatInspected(&buf, "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", container.InspectResponse{}, raw); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "67108864 1500000000\n" {
		t.Errorf("inspect --format printed %q", buf.String())
	}
}
