package runtime_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/berthproject/berth/internal/runtime"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func listenUnix(path string) (*net.UnixListener, error) {
	return net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
}

// receivePty accepts one connection and returns the fd sent with
// SCM_RIGHTS, or nil.
func receivePty(ln *net.UnixListener) *os.File {
	conn, err := ln.AcceptUnix()
	if err != nil {
		return nil
	}
	defer conn.Close()
	buf := make([]byte, 256)
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) == 0 {
		return nil
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) == 0 {
		return nil
	}
	return os.NewFile(uintptr(fds[0]), "pty-master")
}

// runOnConsole runs spec's process (Terminal set) with a console socket,
// expects exit 0 and returns everything it wrote to the terminal: the read
// of the pty master ends (EIO) once every holder has closed the slave.
func (e *env) runOnConsole(id string, spec *specs.Spec) string {
	e.t.Helper()
	ctx := context.Background()
	sock := filepath.Join(e.t.TempDir(), "console.sock")
	ln, err := listenUnix(sock)
	if err != nil {
		e.t.Fatal(err)
	}
	defer ln.Close()
	masterc := make(chan *os.File, 1)
	go func() { masterc <- receivePty(ln) }()
	e.t.Cleanup(func() { _ = e.rt.Delete(ctx, id, true) })
	if err := e.rt.Create(ctx, id, e.bundle(spec), runtime.CreateOpts{ConsoleSocket: sock}); err != nil {
		e.t.Fatal(err)
	}
	master := <-masterc
	if master == nil {
		e.t.Fatal("no pty master received")
	}
	defer master.Close()
	st, _ := e.rt.State(ctx, id)
	if err := e.rt.Start(ctx, id); err != nil {
		e.t.Fatal(err)
	}
	if code, _ := runtime.Wait(st.Pid); code != 0 {
		e.t.Errorf("exit code %d", code)
	}
	var out strings.Builder
	buf := make([]byte, 256)
	for {
		n, err := master.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return out.String()
}

// assertNothingLeft checks that a failed create left no state dir, no
// cgroup and no mount of the shared rootfs.
func (e *env) assertNothingLeft(id string) {
	e.t.Helper()
	if _, err := os.Stat(filepath.Join(e.rt.Root(), id)); err == nil {
		e.t.Errorf("state dir of %s left behind", id)
	}
	for _, ctrl := range []string{"pids", "memory", "cpu", "unified"} {
		if _, err := os.Stat(filepath.Join("/sys/fs/cgroup", ctrl, "berth-test", id)); err == nil {
			e.t.Errorf("cgroup %s/berth-test/%s left behind", ctrl, id)
		}
	}
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mi), sharedRootfs) {
		e.t.Errorf("a mount of the rootfs is left on the host")
	}
}
