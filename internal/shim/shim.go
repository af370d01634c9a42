// Package shim is the daemon's side of berth-shim, the container monitor:
// Launch connects to (or starts) the one berth-shim process that serves
// every container of an engine, and Client drives it.
//
// berth-shim is the parent of every container init and exec it starts, so it
// alone can reap them and learn their exit codes. It writes each exit code to
// a file the moment it reaps the process, before telling anyone, so a daemon
// restart or a shim crash never loses a code that was recorded. It holds
// the containers' stdio (pipes, or the pty master of a terminal), writes
// their logs (internal/logfile) and serves attaches. It is started detached
// (own session, stdio on /dev/null, its own log file in StateDir) and so
// survives the daemon's death; a new daemon simply calls Launch again.
//
// The protocol is berth's own and deliberately small: one request per unix
// connection, a JSON request line, a JSON response line; wait blocks before
// answering, subscribe streams event lines after it, attach turns the
// connection into the process's raw stdio. See docs/shim.md.
package shim

import (
	"errors"
	"log/slog"
	"time"

	"github.com/berthproject/berth/internal/logfile"
)

// Options say which shim to talk to.
type Options struct {
	Binary      string       // berth-shim to run; "" = berth-shim beside the calling executable, else $PATH
	StateDir    string       // <exec-root>/shim: socket, pid file, exit records, per-container state
	RuntimeRoot string       // <exec-root>/runtime: the runtime's state dir
	Logger      *slog.Logger // for what Launch does besides connecting; nil = slog.Default()
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// LogConfig says where and how a container's output is logged.
type LogConfig = logfile.Config

// CreateRequest describes a container to create from a bundle.
type CreateRequest struct {
	ID        string
	Bundle    string // config.json + an already-mounted rootfs
	OpenStdin bool   // keep stdin open for attach (docker -i)
	StdinOnce bool   // close the container's stdin when the first attach closes its own
	Log       LogConfig
}

// Statuses of State.
const (
	StatusCreated = "created"
	StatusRunning = "running"
	StatusPaused  = "paused"
	StatusStopped = "stopped"
)

// State is what the shim knows of a container (or an exec).
type State struct {
	ID        string
	ExecID    string `json:",omitempty"`
	Status    string // created|running|paused|stopped
	Pid       int
	ExitCode  int
	ExitedAt  time.Time
	OOMKilled bool
	// Reason says why an exit code is not the process's own (255 when a
	// shim crash lost it).
	Reason string `json:",omitempty"`
}

// AttachOptions choose the streams an attach carries.
type AttachOptions struct{ Stdin, Stdout, Stderr bool }

// Event is an exit (or out-of-memory kill) of a container or exec.
type Event struct {
	ID, ExecID, Type string // Type: "exit", "oom"
	ExitCode         int
	At               time.Time
}

// Event types.
const (
	EventExit = "exit"
	EventOOM  = "oom"
)

// ExitCodeLost is reported for a process whose exit code died with a
// crashed shim.
const ExitCodeLost = 255

// ErrExecutableNotFound is matched (with errdefs.ErrNotFound) by Create and
// Exec errors when the process's binary is missing: Docker's exit code 127.
var ErrExecutableNotFound = errors.New("executable file not found")

// ErrExecutableNotExecutable is matched (with errdefs.ErrPermissionDenied)
// by Create and Exec errors when the process's binary exists but cannot be
// executed — a directory, a file without execute permission: Docker's exit
// code 126.
var ErrExecutableNotExecutable = errors.New("permission denied")
