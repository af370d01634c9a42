package server

import (
	"errors"
	"os"
	"os/signal"
	"sync"

	"golang.org/x/sys/unix"
)

// reaper waits for the processes the shim started (container inits and
// execs: its children). It waits by pid only, never for "any child", so
// that the runtime's own helpers (hooks, failed spawns) stay theirs to reap;
// orphans are reaped separately, after a grace period (orphans.go).
type reaper struct {
	mu          sync.Mutex
	pids        map[int]func(code int, lost bool)
	poke        chan struct{}
	scanPending bool
}

func newReaper() *reaper {
	r := &reaper{pids: map[int]func(int, bool){}, poke: make(chan struct{}, 1)}
	sig := make(chan os.Signal, 16)
	signal.Notify(sig, unix.SIGCHLD)
	go func() {
		for {
			select {
			case <-sig:
			case <-r.poke:
			}
			r.reap()
		}
	}()
	return r
}

// watch calls done (on its own goroutine) when pid exits. A process that
// already exited is found at once: watch triggers a pass.
func (r *reaper) watch(pid int, done func(code int, lost bool)) {
	r.mu.Lock()
	r.pids[pid] = done
	r.mu.Unlock()
	select {
	case r.poke <- struct{}{}:
	default:
	}
}

func (r *reaper) reap() {
	r.mu.Lock()
	defer r.mu.Unlock()
	// The signal may also be for an orphan (signals coalesce).
	r.scheduleOrphanScan()
	for pid, done := range r.pids {
		var ws unix.WaitStatus
		got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		switch {
		case got == pid:
			delete(r.pids, pid)
			code := ws.ExitStatus()
			if ws.Signaled() {
				code = 128 + int(ws.Signal())
			}
			go done(code, false)
		case errors.Is(err, unix.ECHILD):
			delete(r.pids, pid)
			go done(0, true)
		}
	}
}
