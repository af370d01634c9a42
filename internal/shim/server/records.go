package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/berthproject/berth/internal/shim"
	"github.com/containerd/errdefs"
)

// On disk, under <state-dir>/containers/<id>/:
//
//	meta.json            the create request and what the shim learned (pid)
//	exit.json            the init's exit record, written when it is reaped
//	exec-<exec-id>.json  an exec's exit record
//
// A record is written to a temporary file, synced and renamed: it is either
// complete or absent.

// meta is what a new shim needs to serve a container it did not create.
type meta struct {
	Create      shim.CreateRequest
	Terminal    bool
	CgroupsPath string
	Pid         int
	Created     time.Time
}

// exitRecord is how a process ended.
type exitRecord struct {
	Pid       int
	ExitCode  int
	ExitedAt  time.Time
	OOMKilled bool   `json:",omitempty"`
	Reason    string `json:",omitempty"`
}

var validID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,253}$`)

func checkID(kind, id string) error {
	if !validID.MatchString(id) {
		return fmt.Errorf("%s ID %q: want letters, digits, '_', '.', '-' (not first), at most 254: %w", kind, id, errdefs.ErrInvalidArgument)
	}
	return nil
}

func (s *Server) containerDir(id string) string {
	return filepath.Join(s.stateDir, "containers", id)
}

func (s *Server) exitPath(cid, execID string) string {
	if execID == "" {
		return filepath.Join(s.containerDir(cid), "exit.json")
	}
	return filepath.Join(s.containerDir(cid), "exec-"+execID+".json")
}

// writeRecord writes v as path durably and atomically.
func writeRecord(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// readRecord reads path into v; false if it does not exist.
func readRecord(path string, v any) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}
