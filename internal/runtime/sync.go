package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/berthproject/berth/internal/runtime/seccomp"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The parent and the init talk over a socketpair, one JSON object per line:
// the parent sends one initConfig, the init answers with syncMsg values. The
// C constructor in nsenter writes the same error shape.

const (
	msgReady = "ready" // the container is set up and waits for start
	msgError = "error"
	msgPid   = "pid" // nsenter forked the init (a new pid namespace)
	// msgCgroupReady (parent to init): the init is in its cgroup.
	msgCgroupReady = "cgroup"
)

type syncMsg struct {
	Type    string `json:"type"`
	Message string `json:"message,omitempty"`
	// NotFound marks "the process binary does not exist" (exit 127),
	// NotExecutable "it exists but cannot be executed" (exit 126).
	NotFound      bool `json:"notFound,omitempty"`
	NotExecutable bool `json:"notExecutable,omitempty"`
	Pid           int  `json:"pid,omitempty"`
}

// initConfig is everything the init needs; it travels over the socket, not
// the environment, so that it never shows in /proc/<pid>/environ.
type initConfig struct {
	Exec    bool           `json:"exec"` // join a running container
	ID      string         `json:"id"`
	Spec    *specs.Spec    `json:"spec"`
	Process *specs.Process `json:"process"`
	Rootfs  string         `json:"rootfs"`
	NoPivot bool           `json:"noPivot,omitempty"`
	// NoNewKeyring keeps the caller's session keyring.
	NoNewKeyring bool   `json:"noNewKeyring,omitempty"`
	Preserved    int    `json:"preserved"` // fds 3..3+n-1 go to the container
	FifoFd       int    `json:"fifoFd"`    // -1 when none (exec)
	ConsoleFd    int    `json:"consoleFd"` // -1 when no terminal
	Bundle       string `json:"bundle"`
	HostPid      int    `json:"hostPid"` // for the hooks the init runs
	// MountFds has, per spec mount, the fd of its bind source opened by
	// the parent, or -1: in a user namespace the init may not be allowed
	// to reach the source (podman's 0700 run dirs).
	MountFds []int `json:"mountFds,omitempty"`
	// Seccomp is linux.seccomp compiled by the parent (and cached), so
	// that the init only installs it.
	Seccomp *seccomp.Program `json:"seccomp,omitempty"`

	waitCgroup func() error // set by the init; see containerInit
}

// forInit is the config as it travels to the init: the spec without what
// only the parent uses — linux.resources, the seccomp profile (sent
// compiled), the hooks the parent runs — and without its process, which
// Process carries; an exec's init needs no spec at all. A cold
// encoding/json spends ~0.6 ms on the spec's types before the init can
// mount anything, and seccomp profiles are large.
func (cfg *initConfig) forInit() *initConfig {
	wire := *cfg
	if cfg.Exec || cfg.Spec == nil {
		wire.Spec = nil
		return &wire
	}
	s := *cfg.Spec
	s.Process = nil
	if s.Linux != nil {
		l := *s.Linux
		l.Resources, l.Seccomp = nil, nil
		s.Linux = &l
	}
	if s.Hooks != nil {
		s.Hooks = &specs.Hooks{CreateContainer: s.Hooks.CreateContainer, StartContainer: s.Hooks.StartContainer}
	}
	wire.Spec = &s
	return &wire
}

// ErrProcessNotFound marks a process binary missing from the container
// (what runc reports with exit status 127, Docker too); errors matching it
// also match errdefs.ErrNotFound.
var ErrProcessNotFound = errors.New("executable file not found")

// ErrProcessNotExecutable marks a process binary that exists in the
// container but cannot be executed: a directory, a file without execute
// permission, a mount that forbids exec (Docker's exit status 126). Errors
// matching it also match errdefs.ErrPermissionDenied.
var ErrProcessNotExecutable = errors.New("permission denied")

// processErrorFlags tells the parent which class an init error has.
func processErrorFlags(err error) (notFound, notExecutable bool) {
	return errors.Is(err, ErrProcessNotFound), errors.Is(err, ErrProcessNotExecutable)
}

// readSync waits for the init's answer: ready, an error, or the socket
// closing (the init exec'd, or died).
func readSync(dec *json.Decoder) (*syncMsg, error) {
	var m syncMsg
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("read from container init: %w", err)
	}
	return &m, nil
}

func (m *syncMsg) err() error {
	// The message already says "executable file not found" or
	// "permission denied".
	switch {
	case m.NotFound:
		return &processError{m.Message, ErrProcessNotFound, errdefs.ErrNotFound}
	case m.NotExecutable:
		return &processError{m.Message, ErrProcessNotExecutable, errdefs.ErrPermissionDenied}
	}
	return errors.New(m.Message)
}

func writeSync(f *os.File, v any) error {
	return json.NewEncoder(f).Encode(v)
}

// processError is an init's error about the process binary, as it
// crossed the sync socket: its text and its two classes.
type processError struct {
	msg          string
	class, errdf error
}

func (e *processError) Error() string { return e.msg }

func (e *processError) Is(target error) bool {
	return target == e.class || target == e.errdf
}
