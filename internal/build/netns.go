package build

import (
	"fmt"
	"os"
	goruntime "runtime"

	"golang.org/x/sys/unix"
)

// newNetNS makes a network namespace, held by the returned file: no
// mount to clean up, it goes when the file is closed and no process is
// left in it. berth-runc runs a step's container in one go (create,
// start, wait), so the step's endpoint goes into a namespace made
// beforehand, which the container then joins by path (netnsPath).
func newNetNS() (*os.File, error) {
	type result struct {
		f   *os.File
		err error
	}
	ch := make(chan result, 1)
	go func() {
		// The namespace is made on a thread of its own, which goes back
		// to the daemon's namespace; one that cannot is never reused:
		// a goroutine that ends locked takes its thread with it.
		goruntime.LockOSThread()
		f, restored, err := unshareNet()
		if restored {
			goruntime.UnlockOSThread()
		}
		ch <- result{f, err}
	}()
	r := <-ch
	return r.f, r.err
}

func unshareNet() (f *os.File, restored bool, err error) {
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return nil, true, fmt.Errorf("network namespace of a RUN step: %w", err)
	}
	defer orig.Close()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return nil, true, fmt.Errorf("network namespace of a RUN step: unshare: %w", err)
	}
	f, err = os.Open("/proc/thread-self/ns/net")
	if rerr := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); rerr != nil {
		if f != nil {
			f.Close()
		}
		return nil, false, fmt.Errorf("network namespace of a RUN step: back to the daemon's: %w", rerr)
	}
	if err != nil {
		return nil, true, fmt.Errorf("network namespace of a RUN step: %w", err)
	}
	return f, true, nil
}

// netnsPath names the namespace f holds for other processes (berth-runc
// and the network service open it by this path).
func netnsPath(f *os.File) string {
	return fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), f.Fd())
}
