package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

const (
	stateFile = "state.json"
	fifoName  = "exec.fifo"
)

// containerState is what state.json holds: enough for every later command
// (start, kill, exec, delete) to find the container again.
type containerState struct {
	ID          string            `json:"id"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Pid         int               `json:"pid"`
	StartTime   uint64            `json:"startTime"` // guards against pid reuse
	Created     time.Time         `json:"created"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Paused      bool              `json:"paused,omitempty"`
	Cgroup      json.RawMessage   `json:"cgroup,omitempty"`
	Config      *specs.Spec       `json:"config"`
}

func (r *Runtime) dir(id string) string { return filepath.Join(r.root, id) }

func (r *Runtime) load(id string) (*containerState, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(r.dir(id), stateFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("container %q does not exist: %w", id, errdefs.ErrNotFound)
		}
		return nil, fmt.Errorf("container %q: %w", id, err)
	}
	var st containerState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("container %q: corrupt state: %w", id, err)
	}
	return &st, nil
}

// save writes state.json atomically: readers see the old or the new file.
func (r *Runtime) save(st *containerState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := filepath.Join(r.dir(st.ID), ".state.tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return os.Rename(tmp, filepath.Join(r.dir(st.ID), stateFile))
}

// status derives the spec's status from the live system, not from a stored
// field, so that it stays right after the container exits on its own.
func (r *Runtime) status(st *containerState) specs.ContainerState {
	if !st.alive() {
		return specs.StateStopped
	}
	if _, err := os.Lstat(filepath.Join(r.dir(st.ID), fifoName)); err == nil {
		return specs.StateCreated
	}
	if st.Paused {
		return statePaused
	}
	return specs.StateRunning
}

func (st *containerState) alive() bool {
	if st.Pid <= 0 {
		return false
	}
	start, err := procStartTime(st.Pid)
	return err == nil && start == st.StartTime
}

// procStartTime reads field 22 of /proc/<pid>/stat; a zombie counts as dead.
func procStartTime(pid int) (uint64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 {
		return 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	if fields[0] == "Z" || fields[0] == "X" {
		return 0, unix.ESRCH
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

func (r *Runtime) specState(st *containerState) *specs.State {
	s := &specs.State{
		Version:     specs.Version,
		ID:          st.ID,
		Status:      r.status(st),
		Bundle:      st.Bundle,
		Annotations: st.Annotations,
	}
	if s.Status != specs.StateStopped {
		s.Pid = st.Pid
	}
	return s
}

// statePaused is runc's extra status for a frozen container.
const statePaused specs.ContainerState = "paused"
