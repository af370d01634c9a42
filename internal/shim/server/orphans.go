package server

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// orphanGrace is how long an unknown zombie child is left alone: a child
// of the runtime's own (a hook, a failed spawn) is reaped by its exec.Cmd
// at once; one still a zombie after this is an orphan that re-parented to
// us, the subreaper (a container without a pid namespace leaves those).
const orphanGrace = time.Second

// scheduleOrphanScan runs one scan for orphans after the grace period;
// calls while one is pending are merged.
func (r *reaper) scheduleOrphanScan() {
	if r.scanPending {
		return
	}
	r.scanPending = true
	time.AfterFunc(orphanGrace, func() {
		r.mu.Lock()
		r.scanPending = false
		r.mu.Unlock()
		r.reapOrphans()
	})
}

// reapOrphans reaps every zombie child the shim did not start.
func (r *reaper) reapOrphans() {
	for _, pid := range children() {
		r.mu.Lock()
		_, tracked := r.pids[pid]
		r.mu.Unlock()
		if tracked || !isZombie(pid) {
			continue
		}
		var ws unix.WaitStatus
		_, _ = unix.Wait4(pid, &ws, unix.WNOHANG, nil)
	}
}

// children lists our direct children (/proc/self/task/*/children).
func children() []int {
	files, _ := filepath.Glob("/proc/self/task/*/children")
	var pids []int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range strings.Fields(string(data)) {
			if pid, err := strconv.Atoi(s); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

func isZombie(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && strings.HasPrefix(s[i+1:], " Z")
}
