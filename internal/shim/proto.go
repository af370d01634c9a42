package shim

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Operations of the protocol.
const (
	OpPing   = "ping"
	OpCreate = "create"
	OpStart  = "start"
	OpKill   = "kill"
	OpPause  = "pause"
	OpResume = "resume"
	OpUpdate = "update"
	OpPs     = "ps"
	OpState  = "state"
	OpList   = "list"
	OpWait   = "wait"
	OpDelete = "delete"
	// OpDeleteExec forgets a finished exec (ID is the exec ID).
	OpDeleteExec = "delete-exec"
	// OpForgetExecs forgets every exec but those in Keep: see
	// Client.ForgetExecs.
	OpForgetExecs = "forget-execs"
	OpExec        = "exec"
	OpAttach      = "attach"
	OpResize      = "resize"
	OpSubscribe   = "subscribe"
)

// Request is the one JSON line a client sends on a new connection.
type Request struct {
	Op        string
	ID        string                `json:",omitempty"` // container or exec ID
	Create    *CreateRequest        `json:",omitempty"`
	Exec      *ExecRequest          `json:",omitempty"`
	Signal    int                   `json:",omitempty"`
	All       bool                  `json:",omitempty"`
	Resources *specs.LinuxResources `json:",omitempty"`
	Attach    *AttachOptions        `json:",omitempty"`
	Width     uint16                `json:",omitempty"`
	Height    uint16                `json:",omitempty"`
	Keep      []string              `json:",omitempty"` // exec IDs forget-execs spares
}

// ExecRequest describes a process to run in a running container.
type ExecRequest struct {
	ExecID    string
	Process   *specs.Process // Terminal decides tty
	OpenStdin bool
}

// Response is the JSON line the shim answers with.
type Response struct {
	Error  string  `json:",omitempty"`
	Class  string  `json:",omitempty"` // see errorClasses
	Pid    int     `json:",omitempty"`
	State  *State  `json:",omitempty"`
	States []State `json:",omitempty"`
	Pids   []int   `json:",omitempty"`
	Count  int     `json:",omitempty"` // execs forget-execs forgot
}

// errorClasses carry an error's errdefs class across the socket; the first
// match wins, so the most specific comes first.
var errorClasses = []struct {
	name string
	errs []error
}{
	{"exec-not-found", []error{ErrExecutableNotFound, errdefs.ErrNotFound}},
	{"exec-not-executable", []error{ErrExecutableNotExecutable, errdefs.ErrPermissionDenied}},
	{"not-found", []error{errdefs.ErrNotFound}},
	{"already-exists", []error{errdefs.ErrAlreadyExists}},
	{"conflict", []error{errdefs.ErrConflict}},
	{"invalid-argument", []error{errdefs.ErrInvalidArgument}},
	{"failed-precondition", []error{errdefs.ErrFailedPrecondition}},
	{"unavailable", []error{errdefs.ErrUnavailable}},
	{"not-implemented", []error{errdefs.ErrNotImplemented}},
	{"permission-denied", []error{errdefs.ErrPermissionDenied}},
}

// ErrorResponse encodes err with its class. notFoundExec says whether err
// means a missing executable (the server knows the runtime's sentinel).
func ErrorResponse(err error, notFoundExec bool) Response {
	r := Response{Error: err.Error()}
	if notFoundExec {
		r.Class = "exec-not-found"
		return r
	}
	for _, c := range errorClasses[1:] {
		if errors.Is(err, c.errs[0]) {
			r.Class = c.name
			break
		}
	}
	return r
}

// NotExecutableResponse encodes err, which says that the process's binary
// exists but cannot be executed (the runtime's ErrProcessNotExecutable):
// the client's error matches ErrExecutableNotExecutable.
func NotExecutableResponse(err error) Response {
	return Response{Error: err.Error(), Class: "exec-not-executable"}
}

// classError is an error from the shim that still matches its class.
type classError struct {
	msg  string
	errs []error
}

func (e *classError) Error() string   { return e.msg }
func (e *classError) Unwrap() []error { return e.errs }

// Err turns a response back into an error (nil when it carries none).
func (r Response) Err() error {
	if r.Error == "" {
		return nil
	}
	for _, c := range errorClasses {
		if c.name == r.Class {
			return &classError{msg: "shim: " + r.Error, errs: c.errs}
		}
	}
	return fmt.Errorf("shim: %s", r.Error)
}

// Stream numbers of Docker's multiplexed attach stream.
const (
	StreamStdin  = 0
	StreamStdout = 1
	StreamStderr = 2
)

// AppendFrame appends one frame of Docker's multiplexed stream: stream
// byte, three zero bytes, big-endian uint32 length, payload.
func AppendFrame(buf []byte, stream byte, p []byte) []byte {
	buf = append(buf, stream, 0, 0, 0)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(p)))
	return append(buf, p...)
}
