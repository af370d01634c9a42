package runtime_test

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/runtime"
)

// TestNoPivotAndPreservedFds: --no-pivot (chroot) still gives the
// container its rootfs as /, and ExtraFiles arrive as fds 3, 4, ….
func TestNoPivotAndPreservedFds(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, spec := e.spec(sh(`echo root=$(ls /bin/busybox); cat <&3; echo`)...)
	extraR, extraW := pipe(t)
	if _, err := extraW.WriteString("from-fd-3"); err != nil {
		t.Fatal(err)
	}
	extraW.Close()
	outR, outW := pipe(t)
	t.Cleanup(func() { _ = e.rt.Delete(ctx, id, true) })
	err := e.rt.Create(ctx, id, e.bundle(spec), runtime.CreateOpts{NoPivot: true, Stdout: outW, ExtraFiles: []*os.File{extraR}})
	outW.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, _ := e.rt.State(ctx, id)
	if err := e.rt.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(outR)
	if code, _ := runtime.Wait(st.Pid); code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	got := lines(string(out))
	if got["root"] != "/bin/busybox" || !strings.Contains(string(out), "from-fd-3") {
		t.Errorf("container printed %q", out)
	}
}
