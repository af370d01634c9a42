// Package seccomp compiles the OCI spec's linux.seccomp with libseccomp and
// installs the filter on the calling process. The container's init calls
// Load right before exec: after everything that needs syscalls the profile
// may forbid, and before dropping capabilities when noNewPrivileges is false
// (installing a filter without no_new_privs needs CAP_SYS_ADMIN).
//
// Semantics follow runc so that Docker's and Podman's profiles behave the
// same: syscall names this libseccomp does not know are skipped; a rule
// whose action equals the default action is dropped; several conditions on
// the same argument are alternatives (one rule each), conditions on
// different arguments must all hold.
package seccomp

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// Load compiles cfg and installs it on every thread of the calling process
// (libseccomp's SCMP_FLTATR_CTL_TSYNC, set by the Go binding). A nil cfg
// installs nothing. Nothing is installed when cfg is invalid.
func Load(cfg *specs.LinuxSeccomp) error {
	if cfg == nil {
		return nil
	}
	filter, err := compile(cfg)
	if err != nil {
		return err
	}
	defer filter.Release()
	if err := filter.Load(); err != nil {
		if errors.Is(err, unix.EACCES) {
			return fmt.Errorf("install seccomp filter: %w (the caller needs CAP_SYS_ADMIN or no_new_privs)", err)
		}
		return fmt.Errorf("install seccomp filter: %w", err)
	}
	return nil
}

// compile builds the filter without installing it.
func compile(cfg *specs.LinuxSeccomp) (*libseccomp.ScmpFilter, error) {
	if cfg.ListenerPath != "" {
		return nil, fmt.Errorf("seccomp listenerPath %q: seccomp agents are not supported: %w", cfg.ListenerPath, errdefs.ErrNotImplemented)
	}
	defAct, err := toAction(cfg.DefaultAction, cfg.DefaultErrnoRet)
	if err != nil {
		return nil, fmt.Errorf("seccomp defaultAction: %w", err)
	}
	filter, err := libseccomp.NewFilter(defAct)
	if err != nil {
		return nil, fmt.Errorf("create seccomp filter: %w", err)
	}
	if err := configure(filter, cfg, defAct); err != nil {
		filter.Release()
		return nil, err
	}
	return filter, nil
}

func configure(filter *libseccomp.ScmpFilter, cfg *specs.LinuxSeccomp, defAct libseccomp.ScmpAction) error {
	// The runtime sets no_new_privs itself when the spec asks for it;
	// libseccomp would otherwise set it unconditionally.
	if err := filter.SetNoNewPrivsBit(false); err != nil {
		return fmt.Errorf("seccomp: clear no_new_privs attribute: %w", err)
	}
	for _, a := range cfg.Architectures {
		arch, err := toArch(a)
		if err != nil {
			return err
		}
		if err := filter.AddArch(arch); err != nil {
			return fmt.Errorf("seccomp architecture %s: %w", a, err)
		}
	}
	if err := setFlags(filter, cfg.Flags); err != nil {
		return err
	}
	for i, rule := range cfg.Syscalls {
		if err := addRule(filter, rule, defAct); err != nil {
			return fmt.Errorf("seccomp syscalls[%d] %v: %w", i, rule.Names, err)
		}
	}
	return nil
}

func setFlags(filter *libseccomp.ScmpFilter, flags []specs.LinuxSeccompFlag) error {
	for _, f := range flags {
		var err error
		switch f {
		case flagTsync:
			// Always on: every thread of the init gets the filter.
		case flagLog:
			err = filter.SetLogBit(true)
		case flagSpecAllow:
			err = filter.SetSSB(true)
		case specs.LinuxSeccompFlagWaitKillableRecv:
			return fmt.Errorf("seccomp flag %s: only meaningful with %s, which berth does not support: %w", f, specs.ActNotify, errdefs.ErrNotImplemented)
		default:
			return fmt.Errorf("seccomp flag %q: must be one of %v: %w", f, sortedKeys(flagBits), errdefs.ErrInvalidArgument)
		}
		if err != nil {
			return fmt.Errorf("seccomp flag %s: %w", f, err)
		}
	}
	return nil
}

func addRule(filter *libseccomp.ScmpFilter, rule specs.LinuxSyscall, defAct libseccomp.ScmpAction) error {
	act, err := toAction(rule.Action, rule.ErrnoRet)
	if err != nil {
		return err
	}
	condSets, err := conditions(rule.Args)
	if err != nil {
		return err
	}
	if act == defAct {
		// libseccomp refuses a rule that repeats the default action; it
		// would change nothing anyway.
		return nil
	}
	for _, name := range rule.Names {
		call, err := libseccomp.GetSyscallFromName(name)
		if err != nil {
			// Profiles list syscalls newer than this libseccomp or absent on
			// this architecture; runc skips them too.
			slog.Debug("seccomp: skipping unknown syscall", "name", name)
			continue
		}
		for _, conds := range condSets {
			if len(conds) == 0 {
				err = filter.AddRule(call, act)
			} else {
				err = filter.AddRuleConditional(call, act, conds)
			}
			if err != nil {
				return fmt.Errorf("add rule for %s: %w", name, err)
			}
		}
	}
	return nil
}

// conditions turns the rule's args into the sets of conditions, one
// libseccomp rule each. Conditions on distinct arguments are ANDed in one
// rule; when an argument has several conditions, each condition becomes a
// rule of its own (they are ORed), as runc does, because libseccomp cannot
// compare one argument twice in a rule.
func conditions(args []specs.LinuxSeccompArg) ([][]libseccomp.ScmpCondition, error) {
	conds := make([]libseccomp.ScmpCondition, 0, len(args))
	perArg := map[uint]int{}
	for _, a := range args {
		op, ok := operators[a.Op]
		if !ok {
			return nil, fmt.Errorf("operator %q: must be one of %v: %w", a.Op, sortedKeys(operators), errdefs.ErrInvalidArgument)
		}
		if a.Index > 5 {
			return nil, fmt.Errorf("argument index %d: syscalls have arguments 0-5: %w", a.Index, errdefs.ErrInvalidArgument)
		}
		c, err := libseccomp.MakeCondition(a.Index, op, a.Value, a.ValueTwo)
		if err != nil {
			return nil, fmt.Errorf("condition on argument %d: %w: %w", a.Index, err, errdefs.ErrInvalidArgument)
		}
		conds = append(conds, c)
		perArg[a.Index]++
	}
	for _, n := range perArg {
		if n > 1 {
			sets := make([][]libseccomp.ScmpCondition, len(conds))
			for i, c := range conds {
				sets[i] = []libseccomp.ScmpCondition{c}
			}
			return sets, nil
		}
	}
	return [][]libseccomp.ScmpCondition{conds}, nil
}
