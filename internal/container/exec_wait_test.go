package container

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/containerd/errdefs"
)

// waitMonitor answers Wait from a script and records DeleteExec; the
// other Monitor methods are not used by execExitCode.
type waitMonitor struct {
	Monitor
	waits   []error // nil: the exec has exited with code 7
	deleted []string
}

func (m *waitMonitor) Wait(ctx context.Context, id string) (ProcState, error) {
	err := m.waits[0]
	m.waits = m.waits[1:]
	if err != nil {
		return ProcState{}, err
	}
	return ProcState{ID: id, Status: "stopped", ExitCode: 7}, nil
}

func (m *waitMonitor) DeleteExec(ctx context.Context, id string) error {
	m.deleted = append(m.deleted, id)
	return nil
}

// TestExecExitCodeAcrossAMonitorRestart: a wait cut by the monitor's
// death is retried, and the exit code the monitor had recorded is
// returned and then forgotten in the monitor; an exec the monitor no
// longer knows is given up as 255.
func TestExecExitCodeAcrossAMonitorRestart(t *testing.T) {
	gone := fmt.Errorf("shim wait x: EOF: %w", errdefs.ErrUnavailable)
	for _, tc := range []struct {
		name    string
		waits   []error
		code    int
		deleted int
	}{
		{"exits", []error{nil}, 7, 1},
		{"monitor restarted, code recorded", []error{gone, gone, nil}, 7, 1},
		{"monitor lost the exec", []error{gone, fmt.Errorf("exec x: %w", errdefs.ErrNotFound)}, 255, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &waitMonitor{waits: tc.waits}
			s := &Service{cfg: Config{Monitor: m, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, bg: context.Background()}
			code, ok := s.execExitCode("x")
			if !ok || code != tc.code || len(m.deleted) != tc.deleted || len(m.waits) != 0 {
				t.Errorf("execExitCode = %d, %v; DeleteExec calls %v, waits left %d; want %d, %d DeleteExec",
					code, ok, m.deleted, len(m.waits), tc.code, tc.deleted)
			}
		})
	}
}
