package harness

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// KillShimsUnder SIGKILLs the berth-shim processes whose state lives under
// execRoot. Container monitors outlive a daemon by design, but not a test;
// they are found by their state directory, which is the test's own, so a
// concurrent suite's monitors are never touched.
func KillShimsUnder(execRoot string) {
	for _, pid := range shimsUnder(execRoot) {
		_ = unix.Kill(pid, unix.SIGKILL)
	}
}

// shimsUnder lists the berth-shim processes whose command line names a
// path under execRoot.
func shimsUnder(execRoot string) []int {
	if execRoot == "" {
		return nil
	}
	var pids []int
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(cmdline, []byte("berth-shim")) || !bytes.Contains(cmdline, []byte(execRoot+"/")) {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}
