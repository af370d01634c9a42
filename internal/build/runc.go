package build

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/berthproject/berth/internal/binpath"
)

// RuncName is the OCI runtime binary that runs RUN steps. The builder
// drives it through its runc command line instead of linking the runtime
// library, so the daemon carries none of the runtime's code (its cgo
// constructor, libseccomp) and never re-executes itself as an init.
const RuncName = "berth-runc"

// runc is berth-runc with the builder's state directory.
type runc struct {
	bin  string // path of the binary
	root string // its --root
}

// findRunc resolves the binary: path if given, else berth-runc beside
// the running executable (make install puts them together), else $PATH.
func findRunc(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	p, err := binpath.Find(RuncName)
	if err != nil {
		return "", fmt.Errorf("%w; it runs RUN steps", err)
	}
	return p, nil
}

func (c runc) command(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, c.bin, append([]string{"--root", c.root}, args...)...)
}

// control runs a short command (list, kill, delete) and returns its
// standard output; a failure carries berth-runc's message.
func (c runc) control(ctx context.Context, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := c.command(ctx, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimPrefix(strings.TrimSpace(stderr.String()), RuncName+": ")
		return out, fmt.Errorf("%s %s: %w: %s", RuncName, strings.Join(args, " "), err, msg)
	}
	return out, nil
}

// list returns the IDs of the containers in the state directory.
func (c runc) list(ctx context.Context) ([]string, error) {
	out, err := c.control(ctx, "list", "-q")
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// remove deletes a container whatever its state: its processes, cgroup
// and state. berth-runc keeps a container's state in <root>/<id>, as
// runc does; without it there is nothing to delete and no process to
// start for it.
func (c runc) remove(ctx context.Context, id string) error {
	if _, err := os.Stat(filepath.Join(c.root, id)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	_, err := c.control(ctx, "delete", "--force", id)
	return err
}

// run runs the bundle's container in the foreground (berth-runc run:
// create, start, wait, delete) with stdio as its stdout and stderr, and
// returns its exit status (128+n for a signal n). A failure of the
// runtime itself (the command is missing, a mount fails) is an error.
// Cancelling ctx kills every process of the container and waits for
// berth-runc to end. The caller removes the container afterwards, in
// case berth-runc could not.
func (c runc) run(ctx context.Context, id, bundle string, stdio *os.File) (int, error) {
	logPath := filepath.Join(bundle, "runc-log.json")
	// Not CommandContext: a berth-runc killed half-way through create
	// could leave a container that delete no longer finds.
	cmd := c.command(context.WithoutCancel(ctx), "--log", logPath, "--log-format", "json", "run", "--bundle", bundle, id)
	cmd.Stdout, cmd.Stderr = stdio, stdio
	if err := cmd.Start(); err != nil {
		return -1, fmt.Errorf("run the container of a RUN step: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the status is in cmd.ProcessState
		close(exited)
	}()
	select {
	case <-exited:
	case <-ctx.Done():
		c.killUntilExit(context.WithoutCancel(ctx), id, cmd.Process, exited)
		<-exited
		return -1, ctx.Err()
	}
	if msg := runtimeFailure(logPath); msg != "" {
		return -1, fmt.Errorf("run the container of a RUN step: %s", msg)
	}
	code := cmd.ProcessState.ExitCode()
	if code < 0 {
		return -1, fmt.Errorf("run the container of a RUN step: %s %s", RuncName, cmd.ProcessState)
	}
	return code, nil
}

// killUntilExit kills every process of the container until berth-runc,
// which waits for it, has exited. The container may not exist yet when
// the build is cancelled (berth-runc is still creating it): the kill is
// retried until it does. A berth-runc that outlives many attempts is
// killed itself; the caller's delete then cleans up.
func (c runc) killUntilExit(ctx context.Context, id string, p *os.Process, exited <-chan struct{}) {
	for attempt := 0; ; attempt++ {
		if attempt == 100 {
			_ = p.Kill()
			return
		}
		_, _ = c.control(ctx, "kill", "--all", id, "KILL")
		select {
		case <-exited:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// runtimeFailure is the error berth-runc logged, if any: with --log it
// records its own failures there, which tells them apart from the
// container's exit status (both are berth-runc's exit status).
func runtimeFailure(logPath string) string {
	data, err := os.ReadFile(logPath)
	if err != nil {
		return ""
	}
	var msgs []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var rec struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Level == "error" {
			msgs = append(msgs, rec.Msg)
		}
	}
	return strings.Join(msgs, "; ")
}
