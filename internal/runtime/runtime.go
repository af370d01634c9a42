// Package runtime is berth's OCI runtime: it creates, starts, signals and
// deletes containers described by an OCI bundle (config.json + rootfs),
// following the runtime-spec and runc's lifecycle. berth's container monitor
// uses it as a library; cmd/berth-runc wraps it in runc's command line.
//
// A container is made by re-executing the calling binary in "init" mode
// inside the new namespaces: any program that embeds this package must call
// Init() first thing in main, before flag parsing or any goroutine.
//
// Lifecycle, as in the spec: Create leaves the container "created" (all of the
// environment is set up, the init is blocked on the state dir's exec.fifo);
// Start lets it exec the user process ("running"); once that exits the state
// is "stopped" until Delete removes every trace.
package runtime

import (
	"os"

	// nsenter joins namespaces by path before the Go runtime starts.
	_ "github.com/berthproject/berth/internal/runtime/nsenter"
)

// DefaultRoot is where container state lives unless the caller says otherwise.
const DefaultRoot = "/run/berth-runc"

// Runtime manages the containers whose state lives under one root directory.
type Runtime struct {
	root string
}

// New returns a Runtime keeping state under root (created on first use).
func New(root string) *Runtime {
	if root == "" {
		root = DefaultRoot
	}
	return &Runtime{root: root}
}

// Root is the state directory of this Runtime.
func (r *Runtime) Root() string { return r.root }

// CreateOpts are the options of create, as runc's command line has them.
type CreateOpts struct {
	// PidFile, when set, receives the init's host pid once created.
	PidFile string
	// ConsoleSocket is a unix socket path that receives the pty master
	// (SCM_RIGHTS) when process.terminal is true.
	ConsoleSocket string
	// Stdin, Stdout and Stderr become the container's stdio when
	// process.terminal is false; nil means /dev/null.
	Stdin, Stdout, Stderr *os.File
	// ExtraFiles are passed to the container process as fds 3, 4, …
	// (runc's --preserve-fds).
	ExtraFiles []*os.File
	// NoPivot uses chroot instead of pivot_root (for ramfs roots).
	NoPivot bool
	// NoNewKeyring keeps the caller's session keyring instead of giving
	// the container a new one.
	NoNewKeyring bool
}

// ExecOpts are the options of exec.
type ExecOpts struct {
	PidFile               string
	ConsoleSocket         string
	Stdin, Stdout, Stderr *os.File
	ExtraFiles            []*os.File
}
