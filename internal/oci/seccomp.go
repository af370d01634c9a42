package oci

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Profile is a seccomp profile in Docker's JSON format: the OCI fields plus
// an arch map and rules that apply only with (Includes) or without
// (Excludes) some capabilities or architectures. Compile resolves it for
// one container.
type Profile struct {
	DefaultAction   specs.LinuxSeccompAction `json:"defaultAction"`
	DefaultErrnoRet *uint                    `json:"defaultErrnoRet,omitempty"`
	Architectures   []specs.Arch             `json:"architectures,omitempty"`
	ArchMap         []ArchMap                `json:"archMap,omitempty"`
	Syscalls        []Syscall                `json:"syscalls"`
	Flags           []specs.LinuxSeccompFlag `json:"flags,omitempty"`
}

// ArchMap is a native architecture and the ones its kernel also runs.
type ArchMap struct {
	Arch      specs.Arch   `json:"architecture"`
	SubArches []specs.Arch `json:"subArchitectures"`
}

// Syscall is one rule of a profile.
type Syscall struct {
	specs.LinuxSyscall
	// Name is the one-syscall form of older profiles.
	Name     string  `json:"name,omitempty"`
	Comment  string  `json:"comment,omitempty"`
	Includes *Filter `json:"includes,omitempty"`
	Excludes *Filter `json:"excludes,omitempty"`
}

// Filter conditions a rule: Includes needs all its caps and one of its
// arches (Go names: amd64, arm64, s390x…); Excludes drops the rule when
// any cap or arch matches. MinKernel is accepted and ignored: berth needs
// a kernel newer than any the default profile names.
type Filter struct {
	Caps      []string `json:"caps,omitempty"`
	Arches    []string `json:"arches,omitempty"`
	MinKernel string   `json:"minKernel,omitempty"`
}

// ParseProfile reads a profile of `--security-opt seccomp=FILE`.
func ParseProfile(data []byte) (*Profile, error) {
	var p Profile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("seccomp profile: %v: %w", err, errdefs.ErrInvalidArgument)
	}
	if p.DefaultAction == "" {
		return nil, fmt.Errorf("seccomp profile has no defaultAction: %w", errdefs.ErrInvalidArgument)
	}
	if len(p.Architectures) > 0 && len(p.ArchMap) > 0 {
		return nil, fmt.Errorf("seccomp profile has both architectures and archMap: %w", errdefs.ErrInvalidArgument)
	}
	return &p, nil
}

var nativeArch = map[string]specs.Arch{
	"amd64": specs.ArchX86_64, "386": specs.ArchX86, "arm64": specs.ArchAARCH64, "arm": specs.ArchARM,
	"ppc64le": specs.ArchPPC64LE, "s390x": specs.ArchS390X, "riscv64": specs.ArchRISCV64,
	"mips64le": specs.ArchMIPSEL64, "loong64": specs.ArchLOONGARCH64,
}

// Compile resolves the profile for a process with capabilities caps on
// this machine's architecture.
func (p *Profile) Compile(caps []string) (*specs.LinuxSeccomp, error) {
	return p.compile(caps, runtime.GOARCH)
}

func (p *Profile) compile(caps []string, goarch string) (*specs.LinuxSeccomp, error) {
	out := &specs.LinuxSeccomp{DefaultAction: p.DefaultAction, DefaultErrnoRet: p.DefaultErrnoRet, Flags: p.Flags}
	out.Architectures = p.Architectures
	if native, ok := nativeArch[goarch]; ok {
		for _, a := range p.ArchMap {
			if a.Arch == native {
				out.Architectures = append([]specs.Arch{a.Arch}, a.SubArches...)
			}
		}
	}
	for _, s := range p.Syscalls {
		if !s.applies(caps, goarch) {
			continue
		}
		rule := s.LinuxSyscall
		rule.Names = slices.Clone(rule.Names)
		if s.Name != "" {
			rule.Names = append(rule.Names, s.Name)
		}
		if len(rule.Names) == 0 {
			return nil, fmt.Errorf("seccomp rule without syscall names: %w", errdefs.ErrInvalidArgument)
		}
		out.Syscalls = append(out.Syscalls, rule)
	}
	return out, nil
}

func (s Syscall) applies(caps []string, goarch string) bool {
	if in := s.Includes; in != nil {
		for _, c := range in.Caps {
			if !slices.Contains(caps, c) {
				return false
			}
		}
		if len(in.Arches) > 0 && !slices.Contains(in.Arches, goarch) {
			return false
		}
	}
	if ex := s.Excludes; ex != nil {
		for _, c := range ex.Caps {
			if slices.Contains(caps, c) {
				return false
			}
		}
		if slices.Contains(ex.Arches, goarch) {
			return false
		}
	}
	return true
}
