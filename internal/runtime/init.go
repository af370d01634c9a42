package runtime

import (
	"encoding/json"
	"fmt"
	"os"
	goruntime "runtime"
	"strconv"
)

// Init turns the process into a container init when the runtime re-executed
// it for that purpose, and returns at once otherwise. Every binary that
// embeds this package (berth-runc, berth-shim) must call it first thing in
// main: the init must not run flag parsing, start goroutines or touch the
// caller's environment.
func Init() {
	if os.Getenv("_BERTH_INIT") != "1" {
		return
	}
	// Capabilities, no_new_privs and the final exec are per thread: keep
	// all of them on this one.
	goruntime.LockOSThread()
	fd, err := strconv.Atoi(os.Getenv("_BERTH_SYNC_FD"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "berth-runc init: bad _BERTH_SYNC_FD")
		os.Exit(1)
	}
	sync := os.NewFile(uintptr(fd), "sync")
	err = initMain(sync)
	// initMain only returns on failure; the exec replaced us otherwise.
	msg := syncMsg{Type: msgError, Message: err.Error()}
	msg.NotFound, msg.NotExecutable = processErrorFlags(err)
	if werr := writeSync(sync, msg); werr != nil {
		// Past start, nobody listens on the socket: the user's stderr is
		// the only place left.
		fmt.Fprintln(os.Stderr, "berth-runc init:", err)
	}
	switch {
	case msg.NotFound:
		os.Exit(127)
	case msg.NotExecutable:
		os.Exit(126)
	}
	os.Exit(1)
}

func initMain(sync *os.File) error {
	os.Clearenv()
	var cfg initConfig
	dec := json.NewDecoder(sync)
	if err := dec.Decode(&cfg); err != nil {
		return fmt.Errorf("read init config: %w", err)
	}
	if cfg.Exec {
		return execInit(sync, &cfg)
	}
	return containerInit(sync, dec, &cfg)
}
