package container

import (
	"context"
	"net"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Monitor is what the service needs from the container monitor
// (internal/shim's Client, adapted by the daemon). IDs are container IDs,
// or exec IDs where the doc says so. Errors carry errdefs classes; an
// unknown ID is ErrNotFound.
type Monitor interface {
	// Create sets a container up from its bundle without starting its
	// process; Start runs it. Output produced between the two is kept
	// for an Attach made in between.
	Create(ctx context.Context, req MonitorCreate) (pid int, err error)
	Start(ctx context.Context, id string) error
	Kill(ctx context.Context, id string, sig syscall.Signal, all bool) error
	Pause(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
	Update(ctx context.Context, id string, res *specs.LinuxResources) error
	Ps(ctx context.Context, id string) ([]int, error)
	State(ctx context.Context, id string) (ProcState, error)
	List(ctx context.Context) ([]ProcState, error)
	// Wait blocks until the container (or exec) id has exited.
	Wait(ctx context.Context, id string) (ProcState, error)
	// Delete forgets a stopped container: runtime state, cgroup, exit record.
	Delete(ctx context.Context, id string) error
	Exec(ctx context.Context, id string, req MonitorExec) (pid int, err error)
	// DeleteExec forgets an exec that has exited (its status was read).
	DeleteExec(ctx context.Context, execID string) error
	// Attach returns the stream of a container or exec: raw with a tty,
	// else Docker's multiplexed frames; writes go to its stdin.
	Attach(ctx context.Context, id string, stdin, stdout, stderr bool) (net.Conn, error)
	Resize(ctx context.Context, id string, width, height uint16) error
}

// MonitorCreate is a container for the monitor to set up.
type MonitorCreate struct {
	ID, Bundle string
	OpenStdin  bool
	StdinOnce  bool
	Log        LogConfig
}

// LogConfig is where and how the monitor writes a container's output.
type LogConfig struct {
	Driver   string // json-file, local, none
	Path     string
	MaxSize  int64
	MaxFiles int
}

// MonitorExec is a process to run in a running container.
type MonitorExec struct {
	ExecID    string
	Process   *specs.Process
	OpenStdin bool
}

// ProcState is the monitor's view of a container or exec.
type ProcState struct {
	ID        string
	Status    string // created, running, paused, stopped
	Pid       int
	ExitCode  int
	ExitedAt  time.Time
	OOMKilled bool
	// Reason says why an exit code is not the process's own.
	Reason string
}
