package runtime_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"

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
