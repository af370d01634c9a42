package runtime_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berthproject/berth/internal/runtime"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestConsoleSize: process.consoleSize is the terminal's size from the
// first instruction the process runs (docker run -it sends it at create).
func TestConsoleSize(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sock := filepath.Join(t.TempDir(), "console.sock")
	ln, err := listenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	masterc := make(chan *os.File, 1)
	go func() { masterc <- receivePty(ln) }()
	id, spec := e.spec(sh("stty size")...)
	spec.Process.Terminal = true
	spec.Process.ConsoleSize = &specs.Box{Height: 37, Width: 111}
	t.Cleanup(func() { _ = e.rt.Delete(ctx, id, true) })
	if err := e.rt.Create(ctx, id, e.bundle(spec), runtime.CreateOpts{ConsoleSocket: sock}); err != nil {
		t.Fatal(err)
	}
	master := <-masterc
	if master == nil {
		t.Fatal("no pty master received")
	}
	defer master.Close()
	st, _ := e.rt.State(ctx, id)
	if err := e.rt.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if code, _ := runtime.Wait(st.Pid); code != 0 {
		t.Errorf("exit code %d", code)
	}
	// Everything the process wrote; the read ends (EIO) once the slave
	// side is closed by every holder.
	var out strings.Builder
	buf := make([]byte, 256)
	for {
		n, err := master.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if got := strings.TrimSpace(out.String()); got != "37 111" {
		t.Errorf("stty size = %q, want \"37 111\"", got)
	}
}
