package shim_test

import (
	"os"
	"testing"

	"github.com/berthproject/berth/internal/shim"
)

func TestOOMKilled(t *testing.T) {
	e := newEnv(t)
	if _, err := os.Stat("/sys/fs/cgroup/memory"); err != nil {
		if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err != nil {
			t.Skip("no memory cgroup controller")
		}
	}
	id, req := e.create(false, "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\000' a); echo survived")
	patchSpec(t, req.Bundle, func(s map[string]any) {
		linux := s["linux"].(map[string]any)
		res, _ := linux["resources"].(map[string]any)
		if res == nil {
			res = map[string]any{}
		}
		res["memory"] = map[string]any{"limit": 16 << 20, "swap": 16 << 20}
		linux["resources"] = res
	})
	e.mustCreate(req)
	ctx := e.ctx
	events, err := e.c.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	st := e.wait(id)
	if !st.OOMKilled || st.ExitCode != 137 {
		t.Fatalf("state %+v, want OOMKilled with 137", st)
	}
	for ev := range events {
		if ev.ID == id && ev.Type == shim.EventOOM {
			break
		}
		if ev.ID == id && ev.Type == shim.EventExit {
			t.Fatal("exit event without an oom event first")
		}
	}
}
