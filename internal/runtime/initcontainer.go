package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// containerInit builds the container around the init and execs the user
// process once start opens the exec fifo.
func containerInit(sync *os.File, dec *json.Decoder, cfg *initConfig) error {
	spec := cfg.Spec
	unix.Umask(0) // device nodes and mount points get the modes asked for
	cgroupDone := false
	// waitCgroup blocks until the parent has placed us in our cgroup; then
	// a new cgroup namespace has that cgroup as its root.
	cfg.waitCgroup = func() error {
		if cgroupDone {
			return nil
		}
		cgroupDone = true
		var m syncMsg
		if err := dec.Decode(&m); err != nil || m.Type != msgCgroupReady {
			return fmt.Errorf("wait for cgroup placement: %v", err)
		}
		for _, ns := range spec.Linux.Namespaces {
			if ns.Type == specs.CgroupNamespace && ns.Path == "" {
				if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
					return fmt.Errorf("new cgroup namespace: %w", err)
				}
			}
		}
		return nil
	}
	hookState := &specs.State{Version: specs.Version, ID: cfg.ID, Status: specs.StateCreated, Pid: cfg.HostPid, Bundle: cfg.Bundle, Annotations: spec.Annotations}
	if err := setupRootfs(cfg, hookState); err != nil {
		return err
	}
	if err := cfg.waitCgroup(); err != nil {
		return err
	}
	if !cfg.NoNewKeyring {
		// As runc: the container must not share the caller's session
		// keyring (its secrets). Kernels without keyrings are fine.
		if _, err := unix.KeyctlJoinSessionKeyring("_ses." + cfg.ID); err != nil && err != unix.ENOSYS {
			return fmt.Errorf("join a new session keyring: %w", err)
		}
	}
	if err := setUTS(spec); err != nil {
		return err
	}
	pp, err := prepareProcess(cfg.Process, cfg.ConsoleFd)
	if err != nil {
		return err
	}
	pp.seccomp = cfg.Seccomp
	if err := writeSync(sync, syncMsg{Type: msgReady}); err != nil {
		return fmt.Errorf("report ready: %w", err)
	}
	// Blocks until start opens the fifo for reading.
	fifo, err := unix.Open("/proc/self/fd/"+strconv.Itoa(cfg.FifoFd), unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open exec fifo: %w", err)
	}
	if _, err := unix.Write(fifo, []byte{0}); err != nil {
		return fmt.Errorf("write exec fifo: %w", err)
	}
	unix.Close(fifo)
	if spec.Hooks != nil {
		hookState.Status = specs.StateRunning
		if err := runHooks(context.Background(), "startContainer", spec.Hooks.StartContainer, hookState); err != nil {
			return err
		}
	}
	return pp.execute(cfg.Preserved)
}

func setUTS(spec *specs.Spec) error {
	if spec.Hostname == "" && spec.Domainname == "" {
		return nil
	}
	if !hasNamespace(spec, specs.UTSNamespace) {
		return fmt.Errorf("hostname and domainname need a uts namespace")
	}
	if spec.Hostname != "" {
		if err := unix.Sethostname([]byte(spec.Hostname)); err != nil {
			return fmt.Errorf("set hostname %q: %w", spec.Hostname, err)
		}
	}
	if spec.Domainname != "" {
		if err := unix.Setdomainname([]byte(spec.Domainname)); err != nil {
			return fmt.Errorf("set domainname %q: %w", spec.Domainname, err)
		}
	}
	return nil
}

func writeSysctl(key, value string) error {
	if strings.Contains(key, "..") || strings.HasPrefix(key, "/") {
		return fmt.Errorf("sysctl %q: invalid key", key)
	}
	path := "/proc/sys/" + strings.ReplaceAll(key, ".", "/")
	if err := os.WriteFile(path, []byte(value), 0); err != nil {
		return fmt.Errorf("sysctl %s=%s: %w", key, value, err)
	}
	return nil
}
