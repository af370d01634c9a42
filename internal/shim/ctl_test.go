package shim_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/shim/shimctl"
)

func TestCtl(t *testing.T) {
	e := newEnv(t)
	ctl := func(args ...string) (string, int) {
		var out bytes.Buffer
		code := shimctl.Main(append([]string{"--state-dir", e.opts.StateDir}, args...), &out)
		return strings.TrimSpace(out.String()), code
	}
	id, req := e.create(false, "sh", "-c", "exit 6")
	if _, code := ctl("create", id, req.Bundle, req.Log.Path); code != 0 {
		t.Fatalf("ctl create: exit %d", code)
	}
	if _, code := ctl("start", id); code != 0 {
		t.Fatalf("ctl start: exit %d", code)
	}
	if out, code := ctl("wait", id); code != 0 || out != "6" {
		t.Errorf("ctl wait: %q, exit %d", out, code)
	}
	if out, _ := ctl("list"); !strings.HasPrefix(out, id+" stopped ") || !strings.HasSuffix(out, " 6") {
		t.Errorf("ctl list: %q", out)
	}
	if _, code := ctl("delete", id); code != 0 {
		t.Errorf("ctl delete: exit %d", code)
	}
	if _, code := ctl("state", id); code != 1 {
		t.Errorf("ctl state of a deleted container: exit %d, want 1", code)
	}
	if _, code := ctl("frobnicate"); code == 0 {
		t.Error("unknown command accepted")
	}
}
