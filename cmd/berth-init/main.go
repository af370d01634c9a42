// Command berth-init is the init of containers run with --init: PID 1 in
// the container, it runs the command given after "--", forwards the
// signals it receives to it, reaps every zombie (orphans are re-parented
// to PID 1), and exits with the command's status (128+N for a signal N).
// It is bind-mounted read-only at /sbin/berth-init and must stay a small,
// static binary: it imports nothing that needs cgo.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "berth-init: usage: berth-init -- COMMAND [ARG...]")
		os.Exit(2)
	}
	os.Exit(run(args))
}

func run(args []string) int {
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	path, err := exec.LookPath(args[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "berth-init: exec %q: %v\n", args[0], err)
		return 127
	}
	// The child gets its own process group in the foreground, so that a
	// terminal's ^C reaches it as it would without an init.
	pid, err := syscall.ForkExec(path, args, &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Setpgid: true, Foreground: isTerminal()},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "berth-init: exec %q: %v\n", args[0], err)
		if err == syscall.EACCES {
			return 126
		}
		return 127
	}
	for sig := range sigs {
		s := sig.(syscall.Signal)
		if s == syscall.SIGURG {
			continue // the Go runtime's own preemption signal
		}
		if s != syscall.SIGCHLD {
			_ = syscall.Kill(pid, s)
			continue
		}
		if code, done := reap(pid); done {
			return code
		}
	}
	return 0
}

// reap collects every exited child; done is true once the command itself
// has exited, with its status as an exit code.
func reap(child int) (code int, done bool) {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return code, done
		}
		if pid != child {
			continue
		}
		done = true
		if ws.Signaled() {
			code = 128 + int(ws.Signal())
		} else {
			code = ws.ExitStatus()
		}
	}
}

// isTerminal reports whether stdin is a terminal (then the child takes
// the foreground process group).
func isTerminal() bool {
	_, err := unixIoctlGetPgrp(0)
	return err == nil
}
