package oci

import (
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// namespaces lists the namespaces to create or join: a private mount
// namespace always, and for network, pid, ipc, uts and cgroup whatever
// the options say. The cgroup namespace is private by default on a pure
// cgroup v2 host and the host's elsewhere, as Docker's default.
func namespaces(o Options) []specs.LinuxNamespace {
	ns := []specs.LinuxNamespace{{Type: specs.MountNamespace}}
	cgroup := o.Cgroup
	if cgroup == (Namespace{}) && !pureCgroupV2() {
		cgroup.Host = true
	}
	for _, n := range []struct {
		typ specs.LinuxNamespaceType
		ns  Namespace
	}{
		{specs.NetworkNamespace, o.Network}, {specs.PIDNamespace, o.PID}, {specs.IPCNamespace, o.IPC},
		{specs.UTSNamespace, o.UTS}, {specs.CgroupNamespace, cgroup},
	} {
		if n.ns.Host {
			continue
		}
		ns = append(ns, specs.LinuxNamespace{Type: n.typ, Path: n.ns.Path})
	}
	return ns
}

func pureCgroupV2() bool {
	_, err := os.Stat("/sys/fs/cgroup/cgroup.controllers")
	return err == nil
}
