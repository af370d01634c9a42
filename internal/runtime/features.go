package runtime

import (
	"sort"

	"github.com/berthproject/berth/internal/runtime/cgroups"
	"github.com/berthproject/berth/internal/runtime/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
)

// Features describes what this runtime supports (`berth-runc features`).
func Features() *features.Features {
	var opts []string
	for o := range mountFlags {
		opts = append(opts, o)
	}
	for o := range propagationFlags {
		opts = append(opts, o)
	}
	sort.Strings(opts)
	var ns []string
	for t := range nsFlags {
		ns = append(ns, string(t))
	}
	sort.Strings(ns)
	var caps []string
	for n := range capByName {
		caps = append(caps, n)
	}
	sort.Strings(caps)
	return &features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks:         []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"},
		MountOptions:  opts,
		Linux: &features.Linux{
			Namespaces:   ns,
			Capabilities: caps,
			Cgroup:       cgroups.Features(),
			Seccomp:      seccomp.Features(),
		},
		Annotations: map[string]string{"org.berthproject.runtime.version": "0.1.0"},
	}
}
