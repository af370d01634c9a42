package server

import (
	"runtime/debug"
	"sync"
	"time"
)

// idleScavenge returns freed memory to the OS shortly after a burst of
// requests: creates parse specs and spawn processes, and the heap they
// grew would otherwise stay resident for minutes. Idle containers are the
// common case, and the shim's resident size is a headline figure.
type idleScavenge struct {
	mu    sync.Mutex
	timer *time.Timer
}

const scavengeAfter = 2 * time.Second

func (s *idleScavenge) touch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer == nil {
		s.timer = time.AfterFunc(scavengeAfter, debug.FreeOSMemory)
		return
	}
	s.timer.Reset(scavengeAfter)
}
