package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"unsafe"

	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// Program is a compiled filter: the classic-BPF instructions libseccomp
// generated and the seccomp(2) flags to install them with. Compiling a
// Docker-sized profile for three architectures costs ~10 ms, more than a
// third of a container start; a Program can be compiled once (see
// CompileCached), passed to the container's init as bytes, and installed
// there in microseconds with Install.
type Program struct {
	BPF   []byte `json:"bpf"`   // struct sock_filter array, host byte order
	Flags uint   `json:"flags"` // SECCOMP_FILTER_FLAG_*
}

// Compile turns cfg into a Program without installing anything.
func Compile(cfg *specs.LinuxSeccomp) (*Program, error) {
	if cfg == nil {
		return nil, fmt.Errorf("seccomp: no profile: %w", errdefs.ErrInvalidArgument)
	}
	filter, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	defer filter.Release()
	bpf, err := exportBPF(filter)
	if err != nil {
		return nil, err
	}
	flags := uint(unix.SECCOMP_FILTER_FLAG_TSYNC)
	for _, f := range cfg.Flags {
		if f != flagTsync {
			flags |= uint(flagBits[f]) // compile already rejected unknown flags
		}
	}
	return &Program{BPF: bpf, Flags: flags}, nil
}

// exportBPF has libseccomp write the program to a memfd (libseccomp 2.5
// can only export to a file descriptor) and reads it back.
func exportBPF(filter *libseccomp.ScmpFilter) ([]byte, error) {
	fd, err := unix.MemfdCreate("berth-seccomp", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("seccomp: memfd: %w", err)
	}
	f := os.NewFile(uintptr(fd), "berth-seccomp")
	defer f.Close()
	if err := filter.ExportBPF(f); err != nil {
		return nil, fmt.Errorf("seccomp: export BPF: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("seccomp: export BPF: %w", err)
	}
	bpf, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("seccomp: export BPF: %w", err)
	}
	return bpf, nil
}

// Install puts the program on every thread of the calling process, as
// Load does; same rules about CAP_SYS_ADMIN or no_new_privs.
func (p *Program) Install() error {
	insns, err := p.instructions()
	if err != nil {
		return err
	}
	prog := unix.SockFprog{Len: uint16(len(insns)), Filter: &insns[0]}
	r, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(p.Flags), uintptr(unsafe.Pointer(&prog)))
	runtime.KeepAlive(insns)
	switch {
	case errno == unix.EACCES:
		return fmt.Errorf("install seccomp filter: %w (the caller needs CAP_SYS_ADMIN or no_new_privs)", errno)
	case errno != 0:
		return fmt.Errorf("install seccomp filter: %w", errno)
	case r != 0:
		// With TSYNC a positive result names a thread that could not be
		// synchronised (it has a diverging filter); nothing was installed.
		return fmt.Errorf("install seccomp filter: thread %d cannot be synchronised", r)
	}
	return nil
}

func (p *Program) instructions() ([]unix.SockFilter, error) {
	const size = 8 // sizeof(struct sock_filter)
	n := len(p.BPF) / size
	if n == 0 || len(p.BPF)%size != 0 || n > unix.BPF_MAXINSNS {
		return nil, fmt.Errorf("seccomp program of %d bytes is not a BPF program: %w", len(p.BPF), errdefs.ErrInvalidArgument)
	}
	if p.Flags&^uint(unix.SECCOMP_FILTER_FLAG_TSYNC|unix.SECCOMP_FILTER_FLAG_LOG|unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW) != 0 {
		return nil, fmt.Errorf("seccomp program flags %#x: %w", p.Flags, errdefs.ErrInvalidArgument)
	}
	insns := make([]unix.SockFilter, n)
	for i := range insns {
		b := p.BPF[i*size:]
		insns[i] = unix.SockFilter{
			Code: binary.NativeEndian.Uint16(b[0:]),
			Jt:   b[2],
			Jf:   b[3],
			K:    binary.NativeEndian.Uint32(b[4:]),
		}
	}
	return insns, nil
}

var errBadCache = errors.New("bad seccomp cache entry")
