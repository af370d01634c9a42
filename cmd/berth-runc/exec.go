package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/berthproject/berth/internal/runtime"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func cmdExec(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("exec", flag.ContinueOnError)
	processFile := fs.String("process", "", "process.json to run")
	fs.StringVar(processFile, "p", "", "process.json to run")
	tty := fs.Bool("tty", false, "allocate a pty")
	fs.BoolVar(tty, "t", false, "allocate a pty")
	detach := fs.Bool("detach", false, "do not wait for the process")
	fs.BoolVar(detach, "d", false, "do not wait for the process")
	pidFile := fs.String("pid-file", "", "write the process's pid here")
	consoleSocket := fs.String("console-socket", "", "unix socket that receives the pty master")
	cwd := fs.String("cwd", "", "working directory")
	user := fs.String("user", "", "uid[:gid]")
	fs.StringVar(user, "u", "", "uid[:gid]")
	noNewPrivs := fs.Bool("no-new-privs", false, "set no_new_privs")
	preserve := fs.Int("preserve-fds", 0, "pass this many fds after stdio")
	var env, caps, addGids listFlag
	fs.Var(&env, "env", "KEY=VALUE (repeatable)")
	fs.Var(&env, "e", "KEY=VALUE (repeatable)")
	fs.Var(&caps, "cap", "add a capability (repeatable)")
	fs.Var(&addGids, "additional-gids", "additional gid (repeatable)")
	fs.Var(&addGids, "g", "additional gid (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	if _, err := g.rt.State(ctx, id); err != nil {
		return err
	}
	var p *specs.Process
	if *processFile != "" {
		data, err := os.ReadFile(*processFile)
		if err != nil {
			return fmt.Errorf("read --process: %w", err)
		}
		p = &specs.Process{}
		if err := json.Unmarshal(data, p); err != nil {
			return fmt.Errorf("parse --process %s: %w", *processFile, err)
		}
	} else {
		if fs.NArg() < 2 {
			return fmt.Errorf("exec: give --process or a command to run")
		}
		base, err := g.rt.Process(id)
		if err != nil {
			return err
		}
		p = base
		p.Args = fs.Args()[1:]
		p.Terminal = *tty
		p.Env = append(p.Env, env...)
		if *cwd != "" {
			p.Cwd = *cwd
		}
		if *user != "" {
			uid, gid, _ := strings.Cut(*user, ":")
			u, err := strconv.ParseUint(uid, 10, 32)
			if err != nil {
				return fmt.Errorf("--user %q: want uid[:gid]", *user)
			}
			p.User.UID, p.User.GID = uint32(u), 0
			if gid != "" {
				gv, err := strconv.ParseUint(gid, 10, 32)
				if err != nil {
					return fmt.Errorf("--user %q: want uid[:gid]", *user)
				}
				p.User.GID = uint32(gv)
			}
		}
		for _, gs := range addGids {
			gv, err := strconv.ParseUint(gs, 10, 32)
			if err != nil {
				return fmt.Errorf("--additional-gids %q: %w", gs, err)
			}
			p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(gv))
		}
		if len(caps) > 0 && p.Capabilities != nil {
			c := p.Capabilities
			c.Bounding = append(c.Bounding, caps...)
			c.Effective = append(c.Effective, caps...)
			c.Permitted = append(c.Permitted, caps...)
		}
		if *noNewPrivs {
			p.NoNewPrivileges = true
		}
	}
	opts := runtime.ExecOpts{PidFile: *pidFile, ConsoleSocket: *consoleSocket, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	for i := 0; i < *preserve; i++ {
		opts.ExtraFiles = append(opts.ExtraFiles, os.NewFile(uintptr(3+i), "preserved"))
	}
	var proxy *ttyProxy
	if p.Terminal && opts.ConsoleSocket == "" && !*detach {
		if proxy, err = newTTYProxy(); err != nil {
			return err
		}
		defer proxy.Close()
		opts.ConsoleSocket = proxy.socket
	}
	var sigs <-chan os.Signal
	if !*detach {
		var subscribed func()
		sigs, subscribed = subscribeSignals()
		subscribed()
	}
	pid, err := g.rt.Exec(ctx, id, p, opts)
	if err != nil {
		return err
	}
	if *detach {
		return nil
	}
	finish := func() {}
	if proxy != nil {
		if finish, err = proxy.attach(); err != nil {
			return err
		}
	}
	go forward(sigs, pid)
	code, err := runtime.Wait(pid)
	finish()
	if err != nil {
		return err
	}
	if code != 0 {
		return exitError{code}
	}
	return nil
}
