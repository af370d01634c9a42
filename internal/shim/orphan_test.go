package shim_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Without a pid namespace a container's children outlive its init and
// re-parent to the shim (a subreaper): it must reap them.
func TestOrphansAreReaped(t *testing.T) {
	e := newEnv(t)
	id, req := e.create(false, "sh", "-c", "sleep 0.2 & sleep 0.2 & exit 0")
	patchSpec(t, req.Bundle, func(s map[string]any) {
		linux := s["linux"].(map[string]any)
		var keep []any
		for _, ns := range linux["namespaces"].([]any) {
			if ns.(map[string]any)["type"] != "pid" {
				keep = append(keep, ns)
			}
		}
		linux["namespaces"] = keep
	})
	e.mustCreate(req)
	if err := e.c.Start(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	e.wait(id)
	shimPid := e.shimPid()
	sawOrphan := false
	for i := 0; i < 500; i++ {
		kids := childrenOf(shimPid)
		if len(kids) > 0 {
			sawOrphan = true
		}
		if len(kids) == 0 && sawOrphan {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !sawOrphan {
		t.Skip("the orphans were never re-parented to the shim")
	}
	t.Errorf("shim still has children %v (zombies not reaped)", childrenOf(shimPid))
}

func childrenOf(pid int) []string {
	files, _ := filepath.Glob("/proc/" + itoa(pid) + "/task/*/children")
	var out []string
	for _, f := range files {
		data, _ := os.ReadFile(f)
		out = append(out, strings.Fields(string(data))...)
	}
	return out
}
