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
	// NotFound marks "the process binary does not exist" (exit 127).
	NotFound bool `json:"notFound,omitempty"`
	Pid      int  `json:"pid,omitempty"`
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

// ErrProcessNotFound marks a process binary missing from the container
// (what runc reports with exit status 127).
var ErrProcessNotFound = errors.New("executable file not found")

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
	if m.NotFound {
		// The message already says "executable file not found".
		return &notFoundError{m.Message}
	}
	return errors.New(m.Message)
}

func writeSync(f *os.File, v any) error {
	return json.NewEncoder(f).Encode(v)
}

type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

func (e *notFoundError) Is(target error) bool {
	return target == ErrProcessNotFound || target == errdefs.ErrNotFound
}
