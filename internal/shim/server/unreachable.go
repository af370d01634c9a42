package server

import (
	"os"
	"time"
)

// socketCheckInterval is how often the shim checks that it can still be
// reached.
const socketCheckInterval = 5 * time.Second

// exitWhenUnreachable ends the shim once its socket is removed (the state
// dir was deleted, as a test's scratch dir is): nobody can reach it or
// read its records any more, so it would only leak.
func (s *Server) exitWhenUnreachable(sock string) {
	want, err := os.Stat(sock)
	if err != nil {
		return
	}
	for range time.Tick(socketCheckInterval) {
		got, err := os.Stat(sock)
		if err != nil || !os.SameFile(want, got) {
			s.log.Warn("socket removed: nobody can reach this shim; exiting", "socket", sock)
			os.Exit(0)
		}
	}
}
