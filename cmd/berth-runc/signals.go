package main

import (
	"os"
	"os/signal"
	"syscall"
)

// subscribeSignals subscribes to every signal that run and exec forward to
// the container, and returns the channel and a function that waits until
// the subscription is complete (call it before the container process
// starts, so that no signal is lost).
//
// signal.Notify costs two thread switches per signal (the Go runtime
// updates its signal mask from a locked thread), about a millisecond for
// all of them here: the usual termination signals are subscribed at once,
// the rest in the background while the container is created. There is no
// signal.Stop: the process exits once the container process has, and Stop
// would wait for the signal machinery to go idle (another millisecond).
func subscribeSignals() (<-chan os.Signal, func()) {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT)
	done := make(chan struct{})
	go func() {
		signal.Notify(sigs)
		close(done)
	}()
	return sigs, func() { <-done }
}
