package container

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	containertypes "github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	mobynet "github.com/moby/moby/api/types/network"
)

func TestParsePSKeepsTheContainersProcesses(t *testing.T) {
	out := []byte("UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 10:00 ? 00:00:01 /sbin/init\nroot 42 1 0 10:00 ? 00:00:00 sleep 60 --long arg\n")
	top, err := parsePS(out, []int{42})
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Processes) != 1 || top.Processes[0][1] != "42" || top.Processes[0][7] != "sleep 60 --long arg" {
		t.Errorf("processes = %q", top.Processes)
	}
	if _, err := parsePS([]byte("USER COMMAND\nroot x\n"), nil); err == nil {
		t.Error("ps output without PID accepted")
	}
}

func TestHideMountpoints(t *testing.T) {
	in := []containertypes.FilesystemChange{
		{Kind: containertypes.ChangeModify, Path: "/etc"}, {Kind: containertypes.ChangeAdd, Path: "/etc/hosts"},
		{Kind: containertypes.ChangeAdd, Path: "/dev"}, {Kind: containertypes.ChangeAdd, Path: "/dev/console"},
		{Kind: containertypes.ChangeModify, Path: "/tmp"}, {Kind: containertypes.ChangeAdd, Path: "/tmp/x"},
	}
	got := hideMountpoints(in)
	want := []containertypes.FilesystemChange{{Kind: containertypes.ChangeModify, Path: "/tmp"}, {Kind: containertypes.ChangeAdd, Path: "/tmp/x"}}
	if !slices.Equal(got, want) {
		t.Errorf("hideMountpoints = %v, want %v", got, want)
	}
}

func TestPortMappings(t *testing.T) {
	p80, _ := mobynet.ParsePort("80/tcp")
	p53, _ := mobynet.ParsePort("53/udp")
	ms, err := portMappings(mobynet.PortMap{p80: {{HostPort: "8080"}}, p53: {{HostPort: ""}}})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, m := range ms {
		found[m.String()] = true
	}
	if !found["80/tcp -> 0.0.0.0:8080"] || !found["53/udp -> 0.0.0.0:0"] || len(ms) != 2 {
		t.Errorf("mappings = %v", ms)
	}
}

func TestProbeArgsAndFrames(t *testing.T) {
	if got := probeArgs([]string{"CMD-SHELL", "test -f /ok"}); !slices.Equal(got, []string{"/bin/sh", "-c", "test -f /ok"}) {
		t.Errorf("CMD-SHELL = %q", got)
	}
	if got := probeArgs([]string{"CMD", "true", "x"}); !slices.Equal(got, []string{"true", "x"}) {
		t.Errorf("CMD = %q", got)
	}
	if probeArgs([]string{"NONE"}) != nil || probeArgs(nil) != nil {
		t.Error("NONE or no test should disable the check")
	}
	stream := append([]byte{1, 0, 0, 0, 0, 0, 0, 3}, "ab\n"...)
	stream = append(stream, append([]byte{2, 0, 0, 0, 0, 0, 0, 2}, "c\n"...)...)
	if got := readFrames(bytes.NewReader(stream), 4); got != "ab\nc" {
		t.Errorf("readFrames = %q", got)
	}
}

func TestEventsReplayAndFilter(t *testing.T) {
	s := &Service{events: newBroker()}
	before := time.Now()
	c := Container{ID: "abc123", Name: "web", Image: "busybox", Config: &containertypes.Config{Labels: map[string]string{"app": "x"}}}
	s.emit(c, "create", nil)
	s.emit(Container{ID: "def", Name: "other", Config: &containertypes.Config{}}, "create", nil)
	s.emit(c, "start", nil)
	var got []string
	err := s.Events(context.Background(), before, time.Now(), map[string][]string{"container": {"web"}, "label": {"app=x"}}, func(m events.Message) error {
		got = append(got, string(m.Action))
		return nil
	})
	if err != nil || !slices.Equal(got, []string{"create", "start"}) {
		t.Errorf("events = %v, %v", got, err)
	}
}
