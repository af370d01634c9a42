package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"

	"github.com/berthproject/berth/internal/shim"
	"golang.org/x/sys/unix"
)

// Main is berth-shim's main (after runtime.Init): it serves until killed.
// Exit status 0 also when another shim already serves the state dir.
func Main(args []string) int {
	fs := flag.NewFlagSet(shim.BinaryName, flag.ContinueOnError)
	stateDir := fs.String("state-dir", "", "directory of the socket, records and log (required)")
	runtimeRoot := fs.String("runtime-root", "", "the runtime's state directory (required)")
	readyFd := fs.Int("ready-fd", -1, "fd to write \"ready\" (or why not) to once serving")
	debugLog := fs.Bool("debug", false, "log debug messages")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var ready *os.File
	if *readyFd >= 0 {
		ready = os.NewFile(uintptr(*readyFd), "ready")
	}
	answer := func(s string) {
		if ready != nil {
			fmt.Fprintln(ready, s)
			ready.Close()
			ready = nil
		}
	}
	if *stateDir == "" || *runtimeRoot == "" {
		answer("--state-dir and --runtime-root are required")
		fmt.Fprintln(os.Stderr, "berth-shim: --state-dir and --runtime-root are required")
		return 2
	}
	if err := run(*stateDir, *runtimeRoot, *debugLog, answer); err != nil {
		answer(err.Error())
		fmt.Fprintln(os.Stderr, "berth-shim:", err)
		return 1
	}
	return 0
}

func run(stateDir, runtimeRoot string, debugLog bool, answer func(string)) error {
	stateDir, err := filepath.Abs(stateDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(stateDir, "containers"), 0o711); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	logf, err := os.OpenFile(filepath.Join(stateDir, "shim.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	level := slog.LevelInfo
	if debugLog {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(logf, &slog.HandlerOptions{Level: level}))
	// One shim per state dir: the lock is held for the process's life.
	lock, err := os.OpenFile(filepath.Join(stateDir, "shim.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("lock file: %w", err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			answer(shim.ReadyBusy)
			return nil
		}
		return fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	// Orphans of our containers' processes come back to us, not to init.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("become subreaper: %w", err)
	}
	_ = os.Chdir("/")
	signal.Ignore(unix.SIGHUP, unix.SIGPIPE)
	// Idle containers are the common case: trade a little CPU for memory.
	debug.SetGCPercent(50)
	s := newServer(stateDir, runtimeRoot, log)
	s.recoverAll(context.Background())
	sock := filepath.Join(stateDir, shim.SocketName)
	os.Remove(sock)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if err := os.Chmod(sock, 0o600); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if err := os.WriteFile(filepath.Join(stateDir, "shim.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	log.Info("serving", "pid", os.Getpid(), "containers", len(s.containers))
	go s.exitWhenUnreachable(sock)
	answer(shim.ReadyOK)
	return s.serve(l)
}
